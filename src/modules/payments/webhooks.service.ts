import { systemActor } from '../../platform/audit/audit.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { recordPaymentOutcome } from './attempts.service.js';
import { applyOperationOutcome } from './operations.finish.js';
import type { PaymentsDeps } from './payments.deps.js';
import type { InitiateResult, ProviderEvent } from './provider.js';

export type WebhookResult = 'applied' | 'duplicate' | 'ignored';

const kindEvent = { capture: 'captured', refund: 'refunded', void: 'voided' } as const;

/**
 * Applies a gateway webhook. Webhooks may come before the caller's phase 3, after it, or twice:
 * the event names our idempotency key, so it completes the same pending operation (or attempt)
 * the caller would — whichever arrives first records it, the other is a no-op (`duplicate`).
 * Events without a key we know are `ignored` (the gateway's own dashboard actions: a later issue).
 * @throws InvalidWebhookSignatureError (401) before anything is read or written.
 */
export async function handleProviderWebhook(
  deps: PaymentsDeps,
  providerId: string,
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
): Promise<WebhookResult> {
  const event = deps.providers.get(providerId).parseWebhook(rawBody, headers);
  return applyProviderEvent(deps, providerId, event);
}

/** {@link handleProviderWebhook} after the signature check: one transaction, no gateway call. */
export async function applyProviderEvent(
  deps: PaymentsDeps,
  providerId: string,
  event: ProviderEvent,
): Promise<WebhookResult> {
  const key = event.idempotencyKey;
  if (!key) return 'ignored';
  const attempt = /^(.+):(initiate|authorize)$/.exec(key);
  return withTransaction(deps.db, async (tx) => {
    const op = await tx
      .selectFrom('payment_operation as o')
      .innerJoin('payment as p', 'p.id', 'o.payment_id')
      .select(['o.id', 'o.kind', 'o.status'])
      .where('o.idempotency_key', '=', key)
      .where('p.provider', '=', providerId)
      .executeTakeFirst();
    if (op) {
      const ok = event.type !== 'failed';
      if (ok && event.type !== kindEvent[op.kind]) return 'ignored';
      const applied = await applyOperationOutcome(
        tx,
        { operationId: op.id, kind: op.kind },
        { ok: true, result: { status: ok ? 'succeeded' : 'declined', providerReference: event.providerReference } },
        systemActor,
      );
      return applied.finished ? 'applied' : 'duplicate';
    }
    if (!attempt?.[1]) return 'ignored';
    const payment = await tx
      .selectFrom('payment')
      .select(['id', 'stage'])
      .where('provider', '=', providerId)
      .where('idempotency_base', '=', attempt[1])
      .executeTakeFirst();
    if (!payment) return 'ignored';
    if (payment.stage !== 'pending' && payment.stage !== 'requires_action') return 'duplicate';
    const status: InitiateResult['status'] =
      event.type === 'failed' ? 'declined' : event.type === 'captured' ? 'captured' : 'authorized';
    await recordPaymentOutcome(tx, {
      paymentId: payment.id,
      idempotencyKey: key,
      outcome: { ok: true, result: { status, providerReference: event.providerReference } },
    });
    return 'applied';
  });
}
