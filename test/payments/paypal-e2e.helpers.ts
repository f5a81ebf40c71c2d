import type { FakePayPal } from '../../src/fake-gateways/paypal/index.js';
import type { FakeStripe } from '../../src/fake-gateways/stripe/index.js';
import type { TestApp } from '../support/app.js';

/**
 * Helpers for the PayPal and dispute end-to-end tests: the fake gateways' own records (what the gateway says
 * happened, to compare with Backroom's ledger), their dispute control endpoints, and Backroom's dispute traces.
 */

/** POST JSON to a fake gateway's control endpoint; answers the status and the parsed body. */
export async function fakePost(base: string, path: string, body: Record<string, unknown> = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** What the fake PayPal holds for one order: its status and the money its authorizations, captures and refunds moved. */
export function paypalRecord(paypal: FakePayPal, orderId: string) {
  const s = paypal.store;
  const order = s.orders.get(orderId);
  if (!order) throw new Error(`no PayPal order ${orderId}`);
  const auths = order.authorizationIds.map((id) => s.authorizations.get(id)).filter((a) => a !== undefined);
  const captures = order.captureIds.map((id) => s.captures.get(id)).filter((c) => c !== undefined);
  const refunds = captures.flatMap((c) => c.refundIds.map((id) => s.refunds.get(id)).filter((r) => r !== undefined));
  const sum = (xs: { minor: number }[]) => xs.reduce((n, x) => n + x.minor, 0);
  return {
    status: order.status,
    intent: order.intent,
    authorizations: auths.length,
    authorized: sum(auths),
    captures: captures.map((c) => ({ id: c.id, minor: c.minor, refunded: c.refundedMinor, status: c.status })),
    captured: sum(captures),
    refunded: sum(refunds),
  };
}

/** The buyer disputes a PayPal capture; answers the dispute id. */
export async function paypalOpenDispute(
  paypal: FakePayPal,
  captureId: string,
  reason = 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
) {
  const res = await fakePost(paypal.url, `/_fake/captures/${captureId}/dispute`, { reason });
  if (res.status !== 201) throw new Error(`dispute: ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body.dispute_id);
}

export async function paypalResolveDispute(
  paypal: FakePayPal,
  disputeId: string,
  outcome: 'RESOLVED_BUYER_FAVOUR' | 'RESOLVED_SELLER_FAVOUR',
) {
  const res = await fakePost(paypal.url, `/_fake/disputes/${disputeId}/resolve`, { outcome });
  if (res.status !== 200) throw new Error(`resolve: ${res.status} ${JSON.stringify(res.body)}`);
}

/** The card holder disputes the PaymentIntent's charge at Stripe; answers the dispute id. */
export async function stripeOpenDispute(stripe: FakeStripe, intentId: string, reason = 'fraudulent') {
  const res = await fakePost(stripe.url, `/_fake/payment_intents/${intentId}/dispute`, { reason });
  if (res.status !== 200) throw new Error(`dispute: ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body.id);
}

export async function stripeCloseDispute(stripe: FakeStripe, disputeId: string, status: 'won' | 'lost') {
  const res = await fakePost(stripe.url, `/_fake/disputes/${disputeId}/close`, { status });
  if (res.status !== 200) throw new Error(`close: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Backroom's record of the payment's disputes. */
export function disputeRows(t: TestApp, paymentId: string) {
  return t.db.db
    .selectFrom('payment_dispute')
    .select(['provider', 'dispute_id', 'status', 'reason', 'amount', 'currency', 'closed_at'])
    .where('payment_id', '=', paymentId)
    .execute();
}

/** Outbox events of one type whose payload names this order. */
export async function outboxFor(t: TestApp, type: string, orderId: string) {
  const rows = await t.db.db
    .selectFrom('outbox_event')
    .select(['type', 'aggregate_id', 'payload'])
    .where('type', '=', type)
    .execute();
  return rows.filter((r) => (r.payload as { orderId?: unknown }).orderId === orderId);
}

/** The payment's ledger rows, oldest first (kind, status and amount). */
export function ledger(t: TestApp, paymentId: string) {
  return t.db.db
    .selectFrom('payment_transaction')
    .select(['kind', 'status', 'amount'])
    .where('payment_id', '=', paymentId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
