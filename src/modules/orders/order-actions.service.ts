import { sql } from 'kysely';
import type { AuditContext } from '../../platform/audit/audit.js';
import { recordAudit } from '../../platform/audit/audit.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { CurrencyMismatchError, type Money } from '../../platform/money.js';
import { releaseReservation } from '../inventory/index.js';
import {
  capturePayment,
  PaymentAmountExceededError,
  paymentsOfOrder,
  refundPayment,
  voidPayment,
} from '../payments/index.js';
import { completeOrderIfDone } from './fulfillments.status.js';
import { syncOrderPaymentStatus } from './order-payments.js';
import type { OrderDeps } from './orders.deps.js';
import { timeline, transition } from './orders.service.js';

/**
 * Staff actions that move money or stock of a placed order. Money moves through the payments module's three phases
 * (never inside our transactions); the order's payment status is derived afterwards from the payments, so a
 * parallel capture, refund or webhook can never leave it wrong.
 */

async function orderPayments(deps: OrderDeps, orderId: string) {
  const order = await deps.db
    .selectFrom('order')
    .select(['id', 'status', 'currency'])
    .where('id', '=', orderId)
    .executeTakeFirst();
  if (!order) throw new NotFoundError('Order', orderId);
  const payments = (await paymentsOfOrder(deps.db, orderId)).filter((p) => p.stage === 'authorized');
  return { order, payments };
}

/**
 * Captures `amount` (default: everything still authorized) of a placed order, across its authorized payments oldest
 * first. @throws 409 `ORDER_NOT_CAPTURABLE` unless placed/completed; 422 PaymentAmountExceededError beyond what is
 * authorized and not yet captured (nothing captured); payment errors as `capturePayment`.
 */
export async function captureOrder(
  deps: OrderDeps,
  actor: AuditContext,
  orderId: string,
  amount?: Money,
): Promise<void> {
  const { order, payments } = await orderPayments(deps, orderId);
  if (order.status !== 'placed' && order.status !== 'completed') {
    throw new ConflictError('ORDER_NOT_CAPTURABLE', `The order is ${order.status}; only placed orders are captured.`);
  }
  if (amount && amount.currency !== order.currency) throw new CurrencyMismatchError(amount.currency, order.currency);
  let open = payments.map((p) => ({ id: p.id, left: p.authorized - p.captured - p.pendingCapture }));
  let capturable = open.reduce((n, p) => n + Math.max(0, p.left), 0);
  if (capturable === 0 && !amount && payments.some((p) => p.pendingCapture > 0)) {
    // "Capture" again after a gateway timeout: repeat the capture still waiting for its answer (same idempotency
    // key — the gateway charges once); one still in flight elsewhere is refused as before.
    open = payments.map((p) => ({ id: p.id, left: p.pendingCapture }));
    capturable = open.reduce((n, p) => n + p.left, 0);
  }
  const want = amount?.amount ?? capturable;
  if (want <= 0 && !amount) throw new PaymentAmountExceededError('capture', 0, 0);
  if (want > capturable) throw new PaymentAmountExceededError('capture', want, capturable);
  let rest = want;
  try {
    for (const p of open) {
      const take = Math.min(rest, Math.max(0, p.left));
      if (take <= 0) continue;
      await capturePayment(deps.payments, {
        paymentId: p.id,
        amount: { amount: take, currency: order.currency },
        actor,
      });
      rest -= take;
      if (rest === 0) break;
    }
  } finally {
    await withTransaction(deps.db, async (tx) => {
      await syncOrderPaymentStatus(tx, actor, orderId);
      if (rest < want) await timeline(tx, orderId, actor, 'payment.captured', { amount: want - rest });
      // Delivered before it was paid: now it is both.
      await completeOrderIfDone(tx, actor, orderId);
    });
  }
}

/**
 * Cancels a placed order: releases its reserved stock, gives back its promotion uses (`deps.onCancelled`), then
 * voids what is only authorized and refunds what was captured. Repeating it on a cancelled order retries the money
 * step (a gateway that was down), so "cancel" always ends with nothing held and nothing kept.
 * @throws 409 `ORDER_NOT_CANCELLABLE` for an order awaiting payment (checkout finishes or abandons those) and
 *   `ORDER_HAS_FULFILLMENTS` once anything was fulfilled (use a return instead); payment errors after the order is
 *   cancelled (the refund or void stays pending and the reconciler finishes it).
 */
export async function cancelOrder(deps: OrderDeps, actor: AuditContext, orderId: string, reason: string | null) {
  await withTransaction(deps.db, async (tx) => {
    const res = await sql<{ status: string; fulfilled: number }>`
      select o.status, (select coalesce(sum(l.fulfilled_quantity), 0) from order_line l where l.order_id = o.id)::int
             as fulfilled
        from "order" o where o.id = ${orderId} for update`.execute(tx);
    const order = res.rows[0];
    if (!order) throw new NotFoundError('Order', orderId);
    if (order.status === 'cancelled') return;
    if (order.status === 'pending_payment') {
      throw new ConflictError(
        'ORDER_NOT_CANCELLABLE',
        'The order is awaiting payment; checkout finishes or abandons it.',
      );
    }
    if (order.fulfilled > 0 || order.status === 'completed') {
      throw new ConflictError('ORDER_HAS_FULFILLMENTS', 'Units of this order were fulfilled; create a return instead.');
    }
    await transition(tx, actor, {
      orderId,
      field: 'status',
      from: order.status,
      to: 'cancelled',
      event: 'order.cancelled',
      data: { reason: reason ?? 'cancelled_by_staff' },
    });
    await releaseReservation(deps.inventory, tx, { orderId, actor });
    await deps.onCancelled?.(tx, orderId);
    await recordAudit(tx, actor, {
      action: 'order.cancelled',
      targetType: 'order',
      targetId: orderId,
      changes: { reason },
    });
  });
  const { payments } = await orderPayments(deps, orderId);
  try {
    for (const p of payments) {
      const kept = p.captured - p.refunded;
      if (kept > 0) {
        await refundPayment(deps.payments, { paymentId: p.id, amount: { amount: kept, currency: p.currency }, actor });
      }
      if (p.captured === 0 && p.pendingCapture === 0) await voidPayment(deps.payments, { paymentId: p.id, actor });
    }
  } finally {
    await withTransaction(deps.db, (tx) => syncOrderPaymentStatus(tx, actor, orderId));
  }
}

/** `{ number, email }` → the order id when both match (emails ignore case); otherwise 404, whichever was wrong. */
export async function findGuestOrder(deps: Pick<OrderDeps, 'db'>, number: number, email: string): Promise<string> {
  if (!Number.isSafeInteger(number))
    throw new ValidationError([{ path: '/body/number', message: 'not an order number' }]);
  const row = await deps.db
    .selectFrom('order')
    .select('id')
    .where('number', '=', number)
    .where(sql`lower(email)`, '=', email.trim().toLowerCase())
    // Only orders that were placed: a declined attempt is not an order the buyer made.
    .where('placed_at', 'is not', null)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Order');
  return row.id;
}
