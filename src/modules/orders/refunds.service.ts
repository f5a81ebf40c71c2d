import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.js';
import type { Queryable } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { CurrencyMismatchError, type Money, toDecimalString } from '../../platform/money.js';
import { queueNotification } from '../../platform/notifications/notifications.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { PaymentAmountExceededError, paymentsOfOrder, refundPayment } from '../payments/index.js';
import { syncOrderPaymentStatus } from './order-payments.js';
import type { OrderDeps } from './orders.deps.js';
import { type OrderActor, timeline } from './orders.service.js';
import { RefundAmountExceededError, RefundIncompleteError, RefundReturnInvalidError } from './refunds.errors.js';
import type { RefundResultT } from './returns.schemas.js';
import './returns.tables.js';

/**
 * Order refunds: money back to the order's own captured payments, oldest first, split across them when
 * one is not enough. Money moves outside any transaction (the payments module runs each refund in its
 * three phases and is the final guard: captured − refunded, under the payment's row lock, so parallel
 * refunds can never exceed what was captured). Afterwards one transaction re-derives the order's payment
 * status, writes the timeline, the `order.refunded` event and the customer's email.
 */

export interface RefundOrderInput {
  orderId: string;
  amount: Money;
  reason?: string | undefined;
  /** The return this refund pays back (its `refundedAmount` grows by the amount). */
  returnId?: string | undefined;
}

interface Refundable {
  paymentId: string;
  available: number;
}

/** The order's payments that still hold captured money, oldest first (refunds in flight count as spent). */
async function refundablePayments(db: Queryable, orderId: string, currency: string): Promise<Refundable[]> {
  const payments = await paymentsOfOrder(db, orderId);
  return payments
    .filter((p) => p.currency === currency && p.stage === 'authorized' && !p.pendingVoid)
    .map((p) => ({ paymentId: p.id, available: p.captured - p.refunded - p.pendingRefund }))
    .filter((p) => p.available > 0);
}

const total = (list: Refundable[]) => list.reduce((s, p) => s + p.available, 0);

/**
 * Checks a refund before any money moves: the order exists, the currency is the order's, the return is
 * one of its own and not rejected, and the order's payments hold enough. Returns the split.
 * @throws NotFoundError, CurrencyMismatchError (422), RefundReturnInvalidError (422), RefundAmountExceededError (422).
 */
export async function planRefund(db: Queryable, input: RefundOrderInput) {
  const order = await db
    .selectFrom('order')
    .select(['id', 'currency', 'email', 'number'])
    .where('id', '=', input.orderId)
    .executeTakeFirst();
  if (!order) throw new NotFoundError('Order', input.orderId);
  if (input.amount.currency !== order.currency) throw new CurrencyMismatchError(input.amount.currency, order.currency);
  if (input.returnId !== undefined) {
    const ret = await db
      .selectFrom('return_request')
      .select(['order_id', 'status'])
      .where('id', '=', input.returnId)
      .executeTakeFirst();
    if (!ret || ret.order_id !== order.id)
      throw new RefundReturnInvalidError(input.returnId, 'is not a return of this order');
    if (ret.status === 'rejected') throw new RefundReturnInvalidError(input.returnId, 'was rejected');
  }
  const payments = await refundablePayments(db, order.id, order.currency);
  const available = total(payments);
  if (input.amount.amount > available) throw new RefundAmountExceededError(input.amount.amount, available);
  const split: { paymentId: string; amount: number }[] = [];
  let left = input.amount.amount;
  for (const p of payments) {
    if (left === 0) break;
    const part = Math.min(left, p.available);
    split.push({ paymentId: p.paymentId, amount: part });
    left -= part;
  }
  return { order, split };
}

/**
 * Refunds `amount` of an order to its payments. Never call inside a transaction.
 * @throws as {@link planRefund}; RefundAmountExceededError also when a concurrent refund took the money
 *   first (nothing refunded); RefundIncompleteError (502) when a refund split over several payments stopped
 *   part way (the part refunded is recorded); PaymentDeclinedError / PaymentProviderError from the gateway.
 */
export async function refundOrder(deps: OrderDeps, actor: OrderActor, input: RefundOrderInput): Promise<RefundResultT> {
  const { order, split } = await planRefund(deps.db, input);
  const currency = order.currency;
  const done: { paymentId: string; amount: number }[] = [];
  let failure: unknown = null;
  for (const part of split) {
    try {
      await refundPayment(deps.payments, {
        paymentId: part.paymentId,
        amount: { amount: part.amount, currency },
        actor,
      });
      done.push(part);
    } catch (err) {
      failure = err;
      break;
    }
  }
  const refunded = done.reduce((s, p) => s + p.amount, 0);
  if (refunded === 0 && failure !== null) {
    if (failure instanceof PaymentAmountExceededError) {
      throw new RefundAmountExceededError(
        input.amount.amount,
        total(await refundablePayments(deps.db, order.id, currency)),
      );
    }
    throw failure;
  }

  const paymentStatus = await withTransaction(deps.db, async (tx) => {
    const status = await syncOrderPaymentStatus(tx, actor, order.id);
    const data = {
      amount: refunded,
      currency,
      payments: done,
      reason: input.reason ?? null,
      returnId: input.returnId ?? null,
    };
    await timeline(tx, order.id, actor, 'refund.created', data);
    if (input.returnId !== undefined) {
      await tx
        .updateTable('return_request')
        .set((eb) => ({ refunded_amount: eb('refunded_amount', '+', refunded), updated_at: sql<Date>`now()` }))
        .where('id', '=', input.returnId)
        .execute();
    }
    await appendEvent(tx, {
      type: 'order.refunded',
      aggregateId: order.id,
      payload: { orderId: order.id, ...data },
      ...(actor.requestId ? { requestId: actor.requestId } : {}),
    });
    await recordAudit(tx, actor, { action: 'order.refunded', targetType: 'order', targetId: order.id, changes: data });
    await queueNotification(tx, {
      template: 'order-refunded',
      to: order.email,
      templatesDir: deps.mail.templatesDir,
      data: {
        shopName: deps.mail.shopName,
        orderNumber: String(order.number),
        amount: `${toDecimalString({ amount: refunded, currency })} ${currency}`,
        ordersUrl: `${deps.mail.storefrontUrl.replace(/\/+$/, '')}/account/orders/${order.id}`,
      },
    });
    return status;
  });
  if (failure !== null) throw new RefundIncompleteError(input.amount.amount, refunded, failure);

  const left = total(await refundablePayments(deps.db, order.id, currency));
  return {
    orderId: order.id,
    returnId: input.returnId ?? null,
    amount: { amount: refunded, currency },
    payments: done.map((p) => ({ paymentId: p.paymentId, amount: { amount: p.amount, currency } })),
    paymentStatus,
    refundable: { amount: left, currency },
  };
}
