import type { AuditContext } from '../../platform/audit/audit.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import type { Principal } from '../identity/index.js';
import { findOrderView } from '../orders/index.js';
import { paymentsOfOrder } from '../payments/index.js';
import { beginCompletion } from './completion.begin.js';
import type { CheckoutDeps } from './completion.deps.js';
import { finishCompletion } from './completion.finish.js';

/** What `complete` answers: the order as the buyer may see it, and the state of its payment. */
export interface CompletionResult {
  order: NonNullable<Awaited<ReturnType<typeof findOrderView>>>;
  payment: { id: string; provider: string; status: string } | null;
}

/**
 * `POST /v1/store/carts/{id}/complete`: the three phases (completion.begin.ts, completion.finish.ts). Idempotent per
 * cart: a repeat — in parallel or after a failure — finds the cart's live order and finishes it (repeating the
 * gateway call with the same key if its answer is still unknown), so every caller gets the same order.
 * @throws CartNotFoundError 404; CartIncompleteError 422 listing the missing fields; InsufficientStockError 409;
 *   PromotionExhaustedError 409; PaymentDeclinedError 402 (the cart is open again); PaymentRequiresActionError 409;
 *   PaymentProviderError 502/503 (the order waits; retry, or the worker finishes it).
 */
export async function completeCart(
  deps: CheckoutDeps,
  principal: Principal,
  actor: AuditContext,
  cartId: string,
): Promise<CompletionResult> {
  const begun = await withTransaction(deps.db, (tx) => beginCompletion(deps, tx, principal, actor, cartId));
  const settled =
    begun.kind === 'settled'
      ? begun
      : await finishCompletion(deps, begun.orderId, actor, begun.kind === 'started' ? begun.payment : undefined);
  if (settled.error) throw settled.error;
  return completionResult(deps, settled.orderId);
}

export async function completionResult(deps: CheckoutDeps, orderId: string): Promise<CompletionResult> {
  const [order, payments] = await Promise.all([
    findOrderView(deps.db, orderId, { forCustomer: true }),
    paymentsOfOrder(deps.db, orderId),
  ]);
  const last = payments.at(-1);
  const payment = last ? { id: last.id, provider: last.provider, status: last.status } : null;
  if (!order) throw new NotFoundError('Order', orderId);
  return { order, payment };
}
