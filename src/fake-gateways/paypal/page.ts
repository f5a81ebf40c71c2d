import type { FakeResponse } from '../http.js';
import type { FakeOrder } from './state.js';

/**
 * The buyer's side of the fake: a bare approval page, so a developer running the shop offline can click through
 * PayPal's redirect step. Both buttons post to the control endpoint; `decline` approves an order whose funding
 * instrument will then fail, as PayPal's INSTRUMENT_DECLINED does.
 */

const htmlEscape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const SYMBOLS: Record<string, string> = { EUR: '€', USD: '$', GBP: '£', JPY: '¥' };

const html = (status: number, body: string): FakeResponse => ({
  status,
  body: `<!doctype html><html><head><meta charset="utf-8"><title>Fake PayPal</title></head><body>${body}</body></html>`,
  headers: { 'content-type': 'text/html; charset=utf-8' },
});

export function approvalPage(order: FakeOrder): FakeResponse {
  const { currency_code: currency, value } = order.unit.amount;
  const price = SYMBOLS[currency] ? `${SYMBOLS[currency]}${value}` : `${value} ${currency}`;
  const id = htmlEscape(order.id);
  const form = (outcome: string, label: string) =>
    `<form method="post" action="/_fake/orders/${id}/approve"><input type="hidden" name="outcome" value="${outcome}">` +
    `<button type="submit">${label}</button></form>`;
  return html(
    200,
    `<h1>Fake PayPal — approve order ${id} for ${htmlEscape(price)}</h1><p>Status: ${htmlEscape(order.status)}</p>` +
      form('approve', 'Approve') +
      form('decline', 'Approve with a card that will be declined'),
  );
}

/** After approval PayPal sends the buyer to return_url with `token` and `PayerID`; without one, a plain page. */
export function approvedPage(order: FakeOrder, outcome: string): FakeResponse {
  if (order.returnUrl) {
    const back = new URL(order.returnUrl);
    back.searchParams.set('token', order.id);
    back.searchParams.set('PayerID', 'FAKEPAYER0001');
    return { status: 303, body: '', headers: { 'content-type': 'text/plain', location: back.toString() } };
  }
  return html(
    200,
    `<h1>Order ${htmlEscape(order.id)} approved (${htmlEscape(outcome)})</h1><p>You can close this tab.</p>`,
  );
}
