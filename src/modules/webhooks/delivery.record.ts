import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { newId } from '../../platform/ids.js';
import { unblockNext } from './delivery.blocking.js';
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
  released: readonly ClaimedDelivery[] = [],
): Promise<RecordResult> {
  if (finished.length === 0 && released.length === 0) return { recorded: 0, health: { disabled: null } };
  return withTransaction(deps.db, (tx) => recordAttemptsIn(deps, tx, endpointId, finished, released));
}

/**
 * Hands back claimed deliveries that were not sent (the rest of a chain after a failure, or a stopping
 * worker): lease cleared and the attempt the claim counted taken back, only while the lease is still ours.
 * They stay blocked behind their resource's head and go later, in order.
 */
export async function releaseDeliveries(tx: Tx, released: readonly ClaimedDelivery[]): Promise<number> {
  if (released.length === 0) return 0;
  const input = released.map((d) => ({ id: d.id, attempts: d.attempt, leased_until: d.leasedUntil.toISOString() }));
  const res = await sql`
    update webhook_delivery d
       set leased_until = null, attempts = d.attempts - 1, updated_at = now()
      from jsonb_to_recordset(${jsonb(input)}) as i(id text, attempts int, leased_until timestamptz)
     where d.id = i.id and d.status = 'pending' and d.attempts = i.attempts and d.leased_until = i.leased_until`.execute(
    tx,
  );
  return Number(res.numAffectedRows ?? 0n);
}

/** `recordAttempts` inside the caller's transaction (the worker records and claims in one). */
export async function recordAttemptsIn(
  deps: WebhooksDeps,
  tx: Tx,
  endpointId: string,
  finished: readonly FinishedAttempt[],
  released: readonly ClaimedDelivery[] = [],
): Promise<RecordResult> {
  if (finished.length === 0) {
    await releaseDeliveries(tx, released);
    return { recorded: 0, health: { disabled: null } };
  }
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
    const { rows } = await sql<{
      id: string;
      status: string;
      delivered: boolean;
      gone: boolean;
      error: string | null;
      resource_id: string;
    }>`
      with input as (
        select * from jsonb_to_recordset(${jsonb(input)}) as x(
          id text, attempts int, leased_until timestamptz, attempt_id text, started_at timestamptz,
          duration_ms int, status_code int, excerpt text, error text, delivered boolean, retry_ms int)
      ), locked as materialized (
        -- Row locks in id order, like the fan-out's share locks on heads (delivery.blocking.ts): no deadlock.
        select d.id from webhook_delivery d where d.id in (select id from input) order by d.id for no key update
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
          from input i join locked l on l.id = i.id
         where d.id = i.id and d.status = 'pending' and d.attempts = i.attempts and d.leased_until = i.leased_until
        returning d.id, d.status, d.resource_id
      ), attempt_rows as (
        insert into webhook_attempt (id, delivery_id, attempt, started_at, duration_ms, status_code, response_excerpt, error)
        select i.attempt_id, i.id, i.attempts, i.started_at, i.duration_ms, i.status_code, i.excerpt, i.error
          from input i join done on done.id = i.id
      )
      select done.id, done.status, done.resource_id, i.delivered, coalesce(i.status_code = 410, false) as gone, i.error
        from done join input i on i.id = done.id`.execute(tx);
    // The next delivery of each resource whose delivery finished may go now (a statement of its own: see
    // delivery.blocking.ts). A retried one stays its resource's head; its followers stay blocked meanwhile.
    await unblockNext(
      tx,
      rows.filter((r) => r.status !== 'pending').map((r) => ({ endpointId, resourceId: r.resource_id })),
    );
    await releaseDeliveries(tx, released);
    const health = await applyEndpointHealth(deps, tx, endpointId, {
      succeeded: rows.some((r) => r.delivered),
      failed: rows.some((r) => !r.delivered),
      gone: rows.some((r) => r.gone),
      lastError: rows.findLast((r) => !r.delivered)?.error ?? null,
    });
    return { recorded: rows.length, health };
  }
}
