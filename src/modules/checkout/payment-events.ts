import { systemActor } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { syncOrderPaymentStatus, timeline } from '../orders/index.js';
import type { AppliedEvent } from '../payments/index.js';
import type { CheckoutDeps } from './completion.deps.js';
import { settle } from './completion.finish.js';

/**
 * What a gateway webhook means for the order, in the transaction that applied it (payments cannot see orders; this
 * hook is how the worker joins them). An order waiting for this payment is placed — or cancelled and its cart
 * reopened — at once, so a buyer who paid and closed the tab still gets the order; money moved at the gateway shows
 * in the order's payment status; a dispute goes on the order's timeline.
 */
export function paymentEventHook(deps: CheckoutDeps): (tx: Tx, applied: AppliedEvent) => Promise<void> {
  return async (tx, applied) => {
    const orderId = applied.orderId;
    if (!orderId) return;
    if ((applied.type === 'dispute_opened' || applied.type === 'dispute_closed') && applied.result === 'applied') {
      const d = applied.dispute;
      await timeline(
        tx,
        orderId,
        systemActor,
        applied.type === 'dispute_opened' ? 'payment.dispute_opened' : 'payment.dispute_closed',
        {
          paymentId: applied.paymentId,
          disputeId: d?.id ?? null,
          status: d?.status ?? null,
          reason: d?.reason ?? null,
          amount: d?.amount?.amount ?? null,
          currency: d?.amount?.currency ?? null,
        },
      );
    }
    // Places (or cancels) an order still waiting for this payment; a no-op for any other order.
    await settle(deps, tx, systemActor, orderId, null);
    await syncOrderPaymentStatus(tx, systemActor, orderId);
  };
}
