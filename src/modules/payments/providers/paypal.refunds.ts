import type { Order, Refund } from '@paypal/paypal-server-sdk';
import { fromDecimalString, type Money } from '../../../platform/money.js';

/**
 * How a refund of a PayPal order is spread over its captures. PayPal refunds a capture, not an order, and an
 * order with several partial captures may need one refund per capture. The plan is a pure function of the order
 * with this call's own earlier refunds added back, so a retry (same key) recomputes the same parts with the same
 * keys, and parts that already went through are recognised by their invoice_id instead of being sent again.
 */

export interface RefundPart {
  captureId: string;
  /** PayPal-Request-Id and invoice_id of this part: the call's key, or `key:1`, `key:2`… when split. */
  key: string;
  amount: Money;
  /** Set when this part was already refunded (an earlier attempt whose answer was lost). */
  doneId?: string | undefined;
}

const TAKEN = new Set(['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
const LIVE_REFUND = new Set(['COMPLETED', 'PENDING']);

/** The capture a refund belongs to: PayPal names it only in the refund's `up` link (`…/v2/payments/captures/ID`). */
export function captureIdOf(refund: Refund): string | undefined {
  const up = refund.links?.find((l) => l.rel === 'up')?.href ?? '';
  return /\/captures\/([^/?#]+)/.exec(up)?.[1];
}

export function planRefund(
  order: Order,
  amount: Money,
  key: string,
): { parts: RefundPart[] } | { declineCode: string } {
  if (!Number.isSafeInteger(amount.amount) || amount.amount <= 0) return { declineCode: 'INVALID_AMOUNT' };
  const p = order.purchaseUnits?.[0]?.payments;
  const refunds = (p?.refunds ?? []).filter((r) => LIVE_REFUND.has(r.status ?? ''));
  const single = refunds.find((r) => r.invoiceId === key);
  if (single?.id) {
    const captureId = captureIdOf(single) ?? '';
    return { parts: [{ captureId, key, amount, doneId: single.id }] };
  }
  const own = (r: Refund) => r.invoiceId?.startsWith(`${key}:`) === true;
  const captures = (p?.captures ?? []).filter((c) => TAKEN.has(c.status ?? '') && c.id);
  const remaining: { captureId: string; units: number }[] = [];
  for (const c of captures) {
    if (c.amount?.currencyCode !== amount.currency) return { declineCode: 'CURRENCY_MISMATCH' };
    const units = (m: { value: string }) => fromDecimalString(m.value, amount.currency).amount;
    const refunded = refunds
      .filter((r) => captureIdOf(r) === c.id && !own(r) && r.amount)
      .reduce((acc, r) => acc + units(r.amount as { value: string }), 0);
    remaining.push({ captureId: c.id as string, units: units(c.amount) - refunded });
  }
  const whole = remaining.find((r) => r.units >= amount.amount);
  if (whole) return { parts: [{ captureId: whole.captureId, key, amount }] };
  if (remaining.reduce((acc, r) => acc + r.units, 0) < amount.amount) return { declineCode: 'REFUND_AMOUNT_EXCEEDED' };
  const parts: RefundPart[] = [];
  let left = amount.amount;
  for (const r of remaining) {
    if (left === 0) break;
    if (r.units <= 0) continue;
    const take = Math.min(left, r.units);
    const partKey = `${key}:${parts.length + 1}`;
    const doneId = refunds.find((x) => x.invoiceId === partKey)?.id;
    parts.push({ captureId: r.captureId, key: partKey, amount: { amount: take, currency: amount.currency }, doneId });
    left -= take;
  }
  return { parts };
}
