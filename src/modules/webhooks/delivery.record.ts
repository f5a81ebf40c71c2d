import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { newId } from '../../platform/ids.js';
import type { ClaimedDelivery } from './delivery.claim.js';
import { applyEndpointHealth, type HealthChange } from './delivery.health.js';
import type { AttemptOutcome } from './delivery.http.js';
import type { WebhooksDeps } from './webhooks.deps.js';

/** One finished attempt, with how long until the next one (null: delivered, or that was the last attempt). */
export interface FinishedAttempt {
  delivery: ClaimedDelivery;
  outcome: AttemptOutcome;
  retryInMs: number | null;
}

export interface RecordResult {
  /** Outcomes written (the others had lost their lease: another worker owns the delivery now). */
  recorded: number;
  health: HealthChange;
}

/**
 * Writes the outcomes of finished attempts of one endpoint, in one transaction: one statement updates the
 * deliveries and inserts their attempt rows, but only for deliveries whose lease is still the one the
 * attempt was started under (compare-and-set on attempts + leased_until; an outcome that lost its lease is
 * dropped, the delivery has been handed to someone else). Then the endpoint's health (delivery.health.ts).
 */
export async function recordAttempts(
  deps: WebhooksDeps,
  endpointId: string,
  finished: readonly FinishedAttempt[],
): Promise<RecordResult> {
  if (finished.length === 0) return { recorded: 0, health: { disabled: null } };
  return withTransaction(deps.db, (tx) => recordAttemptsIn(deps, tx, endpointId, finished));
}

/** `recordAttempts` inside the caller's transaction (the worker records and claims in one). */
export async function recordAttemptsIn(
  deps: WebhooksDeps,
  tx: Tx,
  endpointId: string,
  finished: readonly FinishedAttempt[],
): Promise<RecordResult> {
  if (finished.length === 0) return { recorded: 0, health: { disabled: null } };
  const input = finished.map((f) => ({
    id: f.delivery.id,
    attempts: f.delivery.attempt,
    leased_until: f.delivery.leasedUntil.toISOString(),
    attempt_id: newId('webhookAttempt'),
    started_at: f.outcome.startedAt.toISOString(),
    duration_ms: f.outcome.durationMs,
    status_code: f.outcome.statusCode,
    excerpt: f.outcome.responseExcerpt,
    error: f.outcome.error,
    delivered: f.outcome.delivered,
    retry_ms: f.outcome.delivered ? null : f.retryInMs,
  }));
  {
    const { rows } = await sql<{ id: string; status: string; delivered: boolean; gone: boolean; error: string | null }>`
      with input as (
        select * from jsonb_to_recordset(${jsonb(input)}) as x(
          id text, attempts int, leased_until timestamptz, attempt_id text, started_at timestamptz,
          duration_ms int, status_code int, excerpt text, error text, delivered boolean, retry_ms int)
      ), done as (
        update webhook_delivery d
           set status = case when i.delivered then 'delivered' when i.retry_ms is null then 'failed' else 'pending' end,
               delivered_at = case when i.delivered then now() end,
               -- the database's clock, like the claim's: workers' clocks may differ from it
               next_attempt_at = case when i.retry_ms is null then d.next_attempt_at
                                      else now() + i.retry_ms * interval '1 millisecond' end,
               leased_until = null,
               last_status_code = i.status_code,
               last_error = i.error,
               updated_at = now()
          from input i
         where d.id = i.id and d.status = 'pending' and d.attempts = i.attempts and d.leased_until = i.leased_until
        returning d.id, d.status
      ), attempt_rows as (
        insert into webhook_attempt (id, delivery_id, attempt, started_at, duration_ms, status_code, response_excerpt, error)
        select i.attempt_id, i.id, i.attempts, i.started_at, i.duration_ms, i.status_code, i.excerpt, i.error
          from input i join done on done.id = i.id
      )
      select done.id, done.status, i.delivered, coalesce(i.status_code = 410, false) as gone, i.error
        from done join input i on i.id = done.id`.execute(tx);
    const retried = finished.filter((f) => rows.some((r) => r.id === f.delivery.id && r.status === 'pending'));
    if (retried.length > 0) {
      // Later deliveries of the same resource wait for this one anyway: give them its next attempt time, so
      // the claim does not find them due (and blocked) on every round while it waits.
      await sql`
        update webhook_delivery f
           set next_attempt_at = h.next_attempt_at
          from webhook_delivery h
         where h.id in (${sql.join(retried.map((f) => f.delivery.id))})
           and f.endpoint_id = h.endpoint_id and f.resource_id = h.resource_id and f.status = 'pending'
           and f.sequence > h.sequence and f.next_attempt_at < h.next_attempt_at and f.leased_until is null`.execute(
        tx,
      );
    }
    const health = await applyEndpointHealth(deps, tx, endpointId, {
      succeeded: rows.some((r) => r.delivered),
      failed: rows.some((r) => !r.delivered),
      gone: rows.some((r) => r.gone),
      lastError: rows.findLast((r) => !r.delivered)?.error ?? null,
    });
    return { recorded: rows.length, health };
  }
}
