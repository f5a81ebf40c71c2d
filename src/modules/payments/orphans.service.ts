import { withTransaction } from '../../platform/db/transaction.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { errorText, type PaymentsDeps, withDeadline } from './payments.deps.js';

/**
 * Money the gateway holds for an attempt we gave up (abandoned after COMPLETION_ABANDON_SECONDS, or replaced when the
 * cart changed) — the buyer confirmed after all. Nothing will ever be shipped for it, so it goes back: the
 * authorization is cancelled, or what was captured refunded, with keys of their own (`<paymentId>:release`) so a
 * repeat does nothing twice. Our ledger keeps the attempt `failed` (it never paid for anything); the event
 * `payment.released` says what was given back.
 */
export async function releaseOrphanPayment(
  deps: PaymentsDeps,
  paymentId: string,
): Promise<'released' | 'skipped' | 'failed'> {
  const p = await deps.db
    .selectFrom('payment')
    .select(['id', 'provider', 'provider_reference', 'stage', 'amount', 'currency', 'cart_id', 'order_id'])
    .where('id', '=', paymentId)
    .executeTakeFirst();
  if (p?.stage !== 'failed' || !p.provider_reference) return 'skipped';
  const provider = deps.providers.get(p.provider);
  const reference = p.provider_reference;
  let outcome: string;
  try {
    const lookup = provider.lookup?.bind(provider);
    const view = lookup ? await withDeadline(deps, provider.id, () => lookup(reference)) : null;
    const captured = view ? view.captured - view.refunded : 0;
    const result = await withDeadline(deps, provider.id, () =>
      captured > 0
        ? provider.refund({
            providerReference: reference,
            amount: { amount: captured, currency: p.currency },
            idempotencyKey: `${p.id}:release`,
            paymentId: p.id,
          })
        : provider.cancel({ providerReference: reference, idempotencyKey: `${p.id}:release` }),
    );
    outcome = result.status === 'succeeded' ? (captured > 0 ? 'refunded' : 'voided') : 'refused';
  } catch (err) {
    outcome = `failed: ${errorText(err).slice(0, 200)}`;
  }
  await withTransaction(deps.db, (tx) =>
    appendEvent(tx, {
      type: outcome.startsWith('failed') || outcome === 'refused' ? 'payment.mismatch' : 'payment.released',
      aggregateId: p.id,
      payload: { paymentId: p.id, cartId: p.cart_id, orderId: p.order_id, provider: p.provider, outcome },
    }),
  );
  return outcome === 'refunded' || outcome === 'voided' ? 'released' : 'failed';
}
