import type { AuditContext } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import type { AppError } from '../../platform/errors.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { cancelPendingOrder, lockPendingOrder, type PendingOrder, placeOrder } from '../orders/index.js';
import {
  abandonAttempt,
  callProvider,
  PaymentDeclinedError,
  PaymentRequiresActionError,
  type PaymentView,
  type ProviderOutcome,
  paymentsOfOrder,
  recordPaymentOutcome,
  resumeAttempt,
  type StartedPayment,
} from '../payments/index.js';
import { moveCart } from './carts.state.js';
import type { CheckoutDeps } from './completion.deps.js';
import { releaseRedemptions } from './promotions.redeem.js';

/**
 * Checkout phases two and three. Phase two asks the gateway (no transaction open, our attempt id as idempotency
 * key); phase three, in one transaction under the order's row lock, records the answer and moves the order on:
 * authorized → `placed` (cart completed, confirmation email, `order.placed` + `cart.completed`); declined → stock and
 * promotion uses released, order `cancelled`, cart open again for another try (402); no answer (gateway down,
 * timeout) → nothing moves and the same call can be repeated — by the buyer's retry or by the worker.
 *
 * Every path is idempotent: a second finisher (a parallel "complete", the worker) finds the order already moved
 * and answers with it.
 */

export interface Settled {
  orderId: string;
  /** Why the order is not placed: 402 declined, 409 requires action, 502/503 gateway — the order may still be pending. */
  error?: AppError | undefined;
}

/** Phases two and three for an order whose phase one committed; `started` when the caller just ran phase one. */
export async function finishCompletion(
  deps: CheckoutDeps,
  orderId: string,
  actor: AuditContext,
  started?: StartedPayment | null,
): Promise<Settled> {
  const attempt = started === undefined ? await pendingAttemptOf(deps, orderId) : started;
  const outcome = attempt ? await callProvider(deps.payments, attempt) : null;
  return withTransaction(deps.db, (tx) =>
    settle(deps, tx, actor, orderId, attempt && outcome ? { attempt, outcome } : null),
  );
}

/**
 * Gives up on a completion whose payment never got an answer (the worker, after COMPLETION_ABANDON_SECONDS): the
 * attempt is marked abandoned so a late answer cannot authorize it, then the order is cancelled as for a decline.
 */
export async function abandonCompletion(deps: CheckoutDeps, orderId: string, actor: AuditContext): Promise<Settled> {
  return withTransaction(deps.db, async (tx) => {
    const order = await lockPendingOrder(tx, orderId);
    if (!order) return { orderId };
    const payment = await paymentOf(tx, orderId);
    if (payment && (await abandonAttempt(tx, payment.id))) {
      return decline(deps, tx, actor, order, 'payment_abandoned');
    }
    return settle(deps, tx, actor, orderId, null);
  });
}

async function pendingAttemptOf(deps: CheckoutDeps, orderId: string): Promise<StartedPayment | null> {
  const payment = await paymentOf(deps.db, orderId);
  return payment ? resumeAttempt(deps.db, payment.id) : null;
}

/** The order's newest payment attempt (checkout makes one per order). */
async function paymentOf(db: CheckoutDeps['db'] | Tx, orderId: string) {
  return (await paymentsOfOrder(db, orderId)).at(-1);
}

/** Phase three in `tx`: record the answer (if any) and move the order on. Also used inline by phase one. */
export async function settle(
  deps: CheckoutDeps,
  tx: Tx,
  actor: AuditContext,
  orderId: string,
  answer: { attempt: StartedPayment; outcome: ProviderOutcome } | null,
): Promise<Settled> {
  const order = await lockPendingOrder(tx, orderId);
  // Someone else finished it (a parallel complete, the worker): their result stands.
  if (!order) return { orderId };
  let payment: Pick<PaymentView, 'id' | 'status'> | undefined;
  let unknown: AppError | undefined;
  let clientData: Record<string, string> | undefined;
  if (answer) {
    const recorded = await recordPaymentOutcome(tx, {
      paymentId: answer.attempt.paymentId,
      idempotencyKey: answer.attempt.idempotencyKey,
      outcome: answer.outcome,
      ...(actor.requestId ? { requestId: actor.requestId } : {}),
    });
    payment = recorded.payment;
    clientData = recorded.clientData;
    if (recorded.error && !(recorded.error instanceof PaymentDeclinedError)) unknown = recorded.error;
  } else {
    payment = await paymentOf(tx, orderId);
  }
  const status = payment?.status ?? (order.total === 0 ? 'free' : 'missing');
  if (['authorized', 'partially_captured', 'captured', 'free'].includes(status)) {
    await place(deps, tx, actor, order);
    return { orderId };
  }
  if (status === 'failed') return decline(deps, tx, actor, order, 'payment_declined');
  // The gateway gave no answer (429, 409 key in use, timeout): "retry", even for an attempt prepared for the buyer's
  // action — that stage is only where the attempt stood before this call, not what the gateway said now.
  if (unknown) return { orderId, error: unknown };
  if (status === 'requires_action') {
    return { orderId, error: new PaymentRequiresActionError(payment?.id ?? '', clientData) };
  }
  return { orderId, error: unknown };
}

/** Orders place the order (status, payment status, email, `order.placed`); the cart is completed. */
async function place(deps: CheckoutDeps, tx: Tx, actor: AuditContext, order: PendingOrder): Promise<void> {
  await placeOrder(tx, actor, deps.mail, order);
  if (order.cartId && (await moveCart(tx, order.cartId, 'completed'))) {
    await appendEvent(tx, {
      type: 'cart.completed',
      aggregateId: order.cartId,
      payload: { cartId: order.cartId, orderId: order.id },
    });
  }
}

/** Declined or abandoned: everything phase one took is given back and the cart can be completed again. */
async function decline(
  deps: CheckoutDeps,
  tx: Tx,
  actor: AuditContext,
  order: PendingOrder,
  reason: 'payment_declined' | 'payment_abandoned',
): Promise<Settled> {
  await cancelPendingOrder(deps.inventory, tx, actor, order, reason);
  await releaseRedemptions(tx, order.id);
  if (order.cartId) await moveCart(tx, order.cartId, 'open');
  const payment = await paymentOf(tx, order.id);
  return { orderId: order.id, error: new PaymentDeclinedError(payment?.declineCode ?? reason) };
}
