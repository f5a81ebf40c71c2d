import { systemActor } from '../../platform/audit/audit.js';
import { AppError } from '../../platform/errors.js';
import { anonymousPrincipal, type Principal } from '../identity/index.js';
import {
  checkApprovalsAtGateway,
  getPayment,
  type PaidAttempt,
  paidAttemptsWithoutOrder,
  refundPayment,
  voidPayment,
} from '../payments/index.js';
import type { CheckoutDeps } from './completion.deps.js';
import { completeCart } from './completion.service.js';

export interface PaidCartsReport {
  completed: number;
  /** Could no longer become an order (sold out, incomplete): the money was given back. */
  released: number;
  failed: number;
}

/**
 * A buyer who paid at the gateway — the webhook authorized (or captured) the attempt prepared for their cart — or
 * approved there (PayPal: no money moves until the cart is completed) but never came back to "complete" still gets
 * the order: it is completed for them, exactly as their own call would (idempotent per cart, so a buyer completing at
 * the same moment gets the same order; a PayPal approval is authorized by the completion, with the buyer's own key).
 * A cart that can no longer become an order has its payment voided (or refunded when captured): never money taken
 * without an order; a mere approval is left to expire at the gateway.
 * `cartIds`: just these (the webhook worker, at once); otherwise carts paid (or approved — the gateway is asked when
 * its webhook never came) more than `olderThanSeconds` ago, read a page of `limit` at a time until none is left, so
 * attempts whose cart is no longer open never hide newer ones.
 */
export async function completePaidCarts(
  deps: CheckoutDeps,
  opts: { cartIds?: string[]; olderThanSeconds?: number; limit?: number } = {},
): Promise<PaidCartsReport> {
  const report: PaidCartsReport = { completed: 0, released: 0, failed: 0 };
  if (opts.cartIds && opts.cartIds.length === 0) return report;
  // The sweep: an approval whose webhook never came (PayPal moves no money until we authorize) is asked for first.
  if (!opts.cartIds) await checkApprovalsAtGateway(deps.payments, { olderThanSeconds: opts.olderThanSeconds });
  let after: string | null = null;
  do {
    const page = await paidAttemptsWithoutOrder(deps.db, { ...opts, after });
    after = page.next;
    for (const row of await openCartsPaidBy(deps, page.attempts)) await completeFor(deps, row, report);
  } while (after);
  return report;
}

async function completeFor(
  deps: CheckoutDeps,
  row: { cart_id: string; customer_id: string | null; payment_id: string; paid: boolean },
  report: PaidCartsReport,
): Promise<void> {
  const principal: Principal = row.customer_id
    ? { type: 'customer', id: row.customer_id, sessionId: 'gateway-webhook' }
    : anonymousPrincipal;
  try {
    await completeCart(deps, principal, systemActor, row.cart_id);
    report.completed++;
  } catch (err) {
    // 5xx: the gateway or database is down for a moment — the next round tries again.
    if (!(err instanceof AppError) || err.status >= 500) {
      report.failed++;
      return;
    }
    // Only approved: no money was taken, and the approval lapses at the gateway on its own.
    if (!row.paid) return;
    try {
      if (await givePaymentBack(deps, row.payment_id)) report.released++;
    } catch {
      // Being released elsewhere, or the gateway failed: the pending void/refund is repeated by the reconciler.
      report.failed++;
    }
  }
}

/** The open carts whose chosen attempt is one of these (oldest payment first), with their buyer. */
async function openCartsPaidBy(deps: CheckoutDeps, paid: PaidAttempt[]) {
  if (paid.length === 0) return [];
  const carts = await deps.db
    .selectFrom('cart')
    .select(['id', 'customer_id', 'payment_id'])
    .where(
      'id',
      'in',
      paid.map((p) => p.cartId),
    )
    .where('status', '=', 'open')
    .execute();
  return paid.flatMap((p) => {
    const cart = carts.find((c) => c.id === p.cartId && c.payment_id === p.paymentId);
    return cart ? [{ cart_id: cart.id, customer_id: cart.customer_id, payment_id: p.paymentId, paid: p.paid }] : [];
  });
}

/**
 * Voids an authorized payment that belongs to no order (or refunds what it captured). False when it has an order
 * after all (a parallel completion won) or holds nothing.
 */
export async function givePaymentBack(deps: CheckoutDeps, paymentId: string): Promise<boolean> {
  const payment = await getPayment(deps.db, paymentId);
  if (payment.orderId || payment.status === 'voided' || payment.status === 'failed') return false;
  if (payment.captured > payment.refunded) {
    await refundPayment(deps.payments, {
      paymentId: payment.id,
      amount: { amount: payment.captured - payment.refunded, currency: payment.amount.currency },
      actor: systemActor,
    });
  } else if (payment.captured === 0) {
    await voidPayment(deps.payments, { paymentId: payment.id, actor: systemActor });
  }
  return true;
}
