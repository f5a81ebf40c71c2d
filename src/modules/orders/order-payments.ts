import type { Tx } from '../../platform/db/database.js';
import { NotFoundError } from '../../platform/errors.js';
import { paymentsOfOrder } from '../payments/index.js';
import type { OrderActor } from './orders.service.js';
import { transition } from './orders.service.js';
import { type PaymentStatus, paymentTransitions } from './orders.state.js';

/**
 * The order's payment status is derived, never set by hand: from the totals of its payments (kept equal to the
 * payment ledger by the payments module), under the order's row lock. Call it in the transaction that follows any
 * payment change of the order (checkout phase three, capture, refund, cancel).
 */

interface PaymentSums {
  authorized: number;
  captured: number;
  refunded: number;
  live: number;
  voided: number;
}

/** What the order's payment status should be, given its total and its payments' sums. */
export function derivePaymentStatus(total: number, p: PaymentSums): PaymentStatus {
  if (p.refunded > 0) return p.refunded >= p.captured ? 'refunded' : 'partially_refunded';
  if (p.captured > 0) return p.captured >= total ? 'paid' : 'partially_paid';
  if (p.live > 0 && p.authorized > 0) return 'authorized';
  if (p.voided > 0) return 'voided';
  return 'not_paid';
}

/** Shortest path between two payment statuses in the state table (each step is recorded on the timeline). */
function pathTo(from: PaymentStatus, to: PaymentStatus): PaymentStatus[] | null {
  const seen = new Map<PaymentStatus, PaymentStatus[]>([[from, []]]);
  const queue: PaymentStatus[] = [from];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    const path = seen.get(s) ?? [];
    if (s === to) return path;
    for (const next of paymentTransitions[s] as readonly PaymentStatus[]) {
      if (!seen.has(next)) {
        seen.set(next, [...path, next]);
        queue.push(next);
      }
    }
  }
  return null;
}

/**
 * Brings `order.payment_status` in line with its payments, locking the order row. Returns the status now.
 * @throws NotFoundError; InvalidOrderTransitionError when the payments describe a state the table cannot reach
 *   (e.g. money captured on a voided order) — a bug or a gateway surprise to investigate, never silently written.
 */
export async function syncOrderPaymentStatus(tx: Tx, actor: OrderActor, orderId: string): Promise<PaymentStatus> {
  const order = await tx
    .selectFrom('order')
    .select(['payment_status', 'total'])
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!order) throw new NotFoundError('Order', orderId);
  const settled = (await paymentsOfOrder(tx, orderId)).filter((p) => p.stage === 'authorized' || p.stage === 'voided');
  const sum = (f: (p: (typeof settled)[number]) => number) => settled.reduce((n, p) => n + f(p), 0);
  const sums: PaymentSums = {
    authorized: sum((p) => p.authorized),
    captured: sum((p) => p.captured),
    refunded: sum((p) => p.refunded),
    live: settled.filter((p) => p.stage === 'authorized').length,
    voided: settled.filter((p) => p.stage === 'voided').length,
  };
  const target = derivePaymentStatus(Number(order.total), sums);
  if (target === order.payment_status) return target;
  const path = pathTo(order.payment_status, target) ?? [target];
  let from = order.payment_status;
  for (const to of path) {
    await transition(tx, actor, {
      orderId,
      field: 'payment_status',
      from,
      to,
      data: { captured: sums.captured, refunded: sums.refunded },
    });
    from = to;
  }
  return target;
}
