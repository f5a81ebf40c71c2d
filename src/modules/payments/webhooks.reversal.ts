import type { Tx } from '../../platform/db/database.js';
import { type LockedPayment, recordExternal } from './webhooks.ledger.js';

/**
 * Money the gateway took back from a capture on its own (PayPal `PAYMENT.CAPTURE.REVERSED`: a chargeback, a
 * reversed funding source). Like a refund made in the gateway's dashboard it leaves the merchant for the buyer, so it
 * is a gateway-side `refund` row (`recordExternal`) — the ledger is append-only, the capture row stays — marked
 * `reversal` in its raw data, keyed `<paymentId>:capture_reversal:<gateway id>` so redeliveries record it once.
 * `payment.refunded` moves in the same statement (the payment's status is re-derived by the database, the order's by
 * the webhook hook), and the outbox gets `payment.reversed`. Written next to `reverseFailedRefund` (a refund taken back) and consistent with
 * it. The caller holds the payment's row lock.
 *
 * `not_counted`: the capture it reverses is not in the ledger yet (its own event not applied): retry later.
 */
export async function recordCaptureReversal(
  tx: Tx,
  p: LockedPayment,
  reversal: { reference: string; amount: number; captureReference?: string | undefined; source: string },
): Promise<'reversed' | 'duplicate' | 'not_counted'> {
  const key = `${p.id}:capture_reversal:${reversal.reference}`;
  const seen = await tx
    .selectFrom('payment_transaction')
    .select('id')
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (seen) return 'duplicate';
  if (p.refunded + p.pending_refund + reversal.amount > p.captured) return 'not_counted';
  const recorded = await recordExternal(tx, p, {
    kind: 'refund',
    amount: reversal.amount,
    key,
    providerReference: reversal.reference,
    source: reversal.source,
    raw: { reversal: true, capture: reversal.captureReference ?? null },
    event: {
      type: 'payment.reversed',
      payload: { reversalReference: reversal.reference, captureReference: reversal.captureReference ?? null },
    },
  });
  return recorded ? 'reversed' : 'duplicate';
}
