import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { newId } from '../../platform/ids.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import type { LockedPayment } from './webhooks.ledger.js';

/**
 * Money the gateway took back from a capture on its own (PayPal `PAYMENT.CAPTURE.REVERSED`: a chargeback, a
 * reversed funding source). Like a refund made in the gateway's dashboard it leaves the merchant for the buyer, so it
 * is a compensating `refund` row — the ledger is append-only, the capture row stays — marked `reversal` in its raw
 * data, keyed `<paymentId>:capture_reversal:<gateway id>` so redeliveries record it once. `payment.refunded` moves in
 * the same statement (the payment's status is re-derived by the database, the order's by the webhook hook), and the
 * outbox gets `payment.reversed`. Written next to `reverseFailedRefund` (a refund taken back) and consistent with
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
  const inserted = await sql<{ id: string }>`
    insert into payment_transaction (id, payment_id, kind, status, amount, currency, provider_reference,
                                     idempotency_key, raw)
    values (${newId('paymentTransaction')}, ${p.id}, 'refund', 'succeeded', ${reversal.amount}::bigint,
            ${p.currency}, ${reversal.reference}, ${key},
            ${jsonb({ source: reversal.source, reversal: true, capture: reversal.captureReference ?? null })})
    on conflict (idempotency_key) do nothing
    returning id`.execute(tx);
  if (inserted.rows.length === 0) return 'duplicate';
  const updated = await sql<{ status: string; refunded: number }>`
    update payment set refunded = refunded + ${reversal.amount}::bigint, updated_at = now()
     where id = ${p.id}
    returning status, refunded`.execute(tx);
  await appendEvent(tx, {
    type: 'payment.reversed',
    aggregateId: p.id,
    payload: {
      paymentId: p.id,
      cartId: p.cart_id,
      orderId: p.order_id,
      amount: reversal.amount,
      currency: p.currency,
      reversalReference: reversal.reference,
      captureReference: reversal.captureReference ?? null,
      refunded: Number(updated.rows[0]?.refunded ?? 0),
      status: updated.rows[0]?.status ?? null,
      source: 'gateway',
    },
  });
  return 'reversed';
}
