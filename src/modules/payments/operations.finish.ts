import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { errorText, type PaymentsDeps, withDeadline } from './payments.deps.js';
import { PaymentDeclinedError, PaymentProviderError } from './payments.errors.js';
import { type FinishedOperation, finishOperation, type ReservedOperation } from './payments.sql.js';
import type { OperationResult } from './provider.js';

/** What phase 2 of an operation produced: the gateway's answer, or the error it failed with. */
export type OperationOutcome = { ok: true; result: OperationResult } | { ok: false; error: unknown };

/** Phase 2 of capture/refund/void: the gateway call with the operation's own key. Never throws; no database. */
export async function callOperation(deps: PaymentsDeps, op: ReservedOperation): Promise<OperationOutcome> {
  try {
    const provider = deps.providers.get(op.provider);
    const reference = op.providerReference ?? '';
    const amount = { amount: op.amount, currency: op.currency };
    const key = op.idempotencyKey;
    const result = await withDeadline(deps, provider.id, () =>
      op.kind === 'capture'
        ? provider.capture({ providerReference: reference, amount, idempotencyKey: key, paymentId: op.paymentId })
        : op.kind === 'refund'
          ? provider.refund({ providerReference: reference, amount, idempotencyKey: key, paymentId: op.paymentId })
          : provider.cancel({ providerReference: reference, idempotencyKey: key }),
    );
    return { ok: true, result };
  } catch (error) {
    return { ok: false, error };
  }
}

const eventType = { capture: 'payment.captured', refund: 'payment.refunded', void: 'payment.voided' } as const;

export interface AppliedOutcome {
  /** The operation's recorded end, or null when someone else recorded it first (a no-op). */
  finished: FinishedOperation | null;
  /** Set when the gateway refused (402) or failed/timed out (502/503: the operation stays pending). */
  error?: Error | undefined;
}

/**
 * Phase 3 (in the caller's transaction): success → ledger row, totals, `payment.<kind>d` event;
 * a definite refusal → failed ledger row, reservation released, `payment.failed`; an unknown
 * outcome (gateway error, timeout) → the operation stays pending, its lease shortened so the
 * reconciler retries it soon with the same key. Staff/API-key actors are audited.
 */
export async function applyOperationOutcome(
  tx: Tx,
  op: Pick<ReservedOperation, 'operationId' | 'kind'>,
  outcome: OperationOutcome,
  actor: AuditContext,
): Promise<AppliedOutcome> {
  const declined = outcome.ok ? outcome.result.status === 'declined' : outcome.error instanceof PaymentDeclinedError;
  if (!outcome.ok && !declined) {
    await sql`
      update payment_operation set last_error = ${errorText(outcome.error)}, updated_at = now(),
             lease_until = least(lease_until, now() + interval '5 seconds')
       where id = ${op.operationId} and status = 'pending'`.execute(tx);
    const error =
      outcome.error instanceof PaymentProviderError || outcome.error instanceof Error
        ? outcome.error
        : new Error(String(outcome.error));
    return { finished: null, error };
  }
  // Lock order is payment, then operation — as the webhook applier takes them — so the two never deadlock.
  await sql`select p.id from payment p join payment_operation o on o.payment_id = p.id
             where o.id = ${op.operationId} for update of p`.execute(tx);
  const declineCode = outcome.ok
    ? (outcome.result.declineCode ?? null)
    : ((outcome.error as PaymentDeclinedError).declineCode ?? null);
  const finished = await finishOperation(tx, {
    operationId: op.operationId,
    outcome: declined ? 'failed' : 'succeeded',
    providerReference: outcome.ok ? outcome.result.providerReference : undefined,
    raw: declined ? { status: 'declined', declineCode } : { status: 'succeeded' },
    lastError: declined ? `declined: ${declineCode ?? 'unknown'}` : undefined,
  });
  if (finished) {
    const payload = {
      paymentId: finished.paymentId,
      cartId: finished.cartId,
      orderId: finished.orderId,
      kind: finished.kind,
      amount: finished.amount,
      currency: finished.currency,
      status: finished.status,
    };
    const requestId = actor.requestId ?? undefined;
    await appendEvent(tx, {
      type: declined ? 'payment.failed' : eventType[finished.kind],
      aggregateId: finished.paymentId,
      payload,
      ...(requestId ? { requestId } : {}),
    });
    if (actor.actorType !== 'system') {
      await recordAudit(tx, actor, {
        action: declined ? `payment.${finished.kind}_failed` : eventType[finished.kind],
        targetType: 'payment',
        targetId: finished.paymentId,
        changes: { kind: finished.kind, amount: finished.amount, currency: finished.currency, declineCode },
      });
    }
  }
  return { finished, error: declined ? new PaymentDeclinedError(declineCode) : undefined };
}
