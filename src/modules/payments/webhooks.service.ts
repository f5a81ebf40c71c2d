import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { errorText, type PaymentsDeps } from './payments.deps.js';
import type { ProviderEvent } from './provider.js';
import { type AppliedEvent, type ApplyResult, applyEventInTx } from './webhooks.apply.js';

/**
 * Inbound gateway webhooks in two steps. `receiveWebhook` (the HTTP route) verifies the signature over the raw bytes,
 * then stores the event once in the inbox keyed by the gateway's event id — a replay is acknowledged and ignored —
 * and answers at once, so a slow database never makes the gateway retry. `processWebhookInbox` (the worker) applies
 * stored events one at a time, each in its own transaction under the payment's row lock (webhooks.apply.ts).
 */

export type ReceiveResult = 'stored' | 'duplicate';

/** After this many failed tries an event stops being retried (status `failed`, visible to operators). */
const MAX_ATTEMPTS = 10;

/**
 * @throws UnknownPaymentProviderError when the gateway is not configured; InvalidWebhookSignatureError (400) before
 *   anything is parsed or stored.
 */
export async function receiveWebhook(
  deps: PaymentsDeps,
  providerId: string,
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
): Promise<ReceiveResult> {
  const event = await deps.providers.get(providerId).verifyWebhook(rawBody, headers);
  return storeEvent(deps, providerId, event);
}

/** Puts a verified event into the inbox; `duplicate` when its id is already there. */
export async function storeEvent(deps: PaymentsDeps, providerId: string, event: ProviderEvent): Promise<ReceiveResult> {
  const row = await deps.db
    .insertInto('payment_webhook_event')
    .values({
      provider: providerId,
      event_id: event.eventId,
      type: event.type,
      provider_type: event.providerType,
      event: jsonb(event as unknown as Record<string, unknown>),
      payment_id: event.paymentId ?? null,
      result: null,
      last_error: null,
      processed_at: null,
    })
    .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return row ? 'stored' : 'duplicate';
}

export interface InboxReport {
  processed: number;
  failed: number;
  /** What each processed event did, for the caller's follow-ups (placing a waiting order …). */
  applied: AppliedEvent[];
  /** The soonest moment an event of this round is due again (it failed, or waits for another event); else null. */
  retryAt: Date | null;
}

/**
 * Applies due inbox events, oldest first, each claimed with SKIP LOCKED (any number of workers) and applied in the
 * same transaction that marks it done — a crash in between leaves it pending, and applying it again is a no-op.
 * `onApplied` runs in that transaction too (checkout places or cancels the order waiting for this payment).
 */
export async function processWebhookInbox(
  deps: PaymentsDeps,
  opts: { limit?: number; onApplied?: ((tx: Tx, applied: AppliedEvent) => Promise<void>) | undefined } = {},
): Promise<InboxReport> {
  const report: InboxReport = { processed: 0, failed: 0, applied: [], retryAt: null };
  const dueAgain = (at: Date | null) => {
    if (at && (!report.retryAt || at < report.retryAt)) report.retryAt = at;
  };
  for (let i = 0; i < (opts.limit ?? 100); i++) {
    let claimed: { provider: string; event_id: string } | undefined;
    try {
      const outcome = await withTransaction(deps.db, async (tx) => {
        const row = await tx
          .selectFrom('payment_webhook_event')
          .select(['provider', 'event_id', 'event', 'attempts'])
          .where('status', '=', 'pending')
          .where('available_at', '<=', new Date())
          .orderBy('available_at')
          .orderBy('received_at')
          .limit(1)
          .forUpdate()
          .skipLocked()
          .executeTakeFirst();
        if (!row) return null;
        claimed = row;
        const event = (typeof row.event === 'string' ? JSON.parse(row.event) : row.event) as ProviderEvent;
        const applied = await applyEventInTx(tx, row.provider, event);
        if (applied.result !== 'retry' && applied.result !== 'ignored' && opts.onApplied) {
          await opts.onApplied(tx, applied);
        }
        dueAgain(await markDone(tx, row.provider, row.event_id, applied, row.attempts));
        return applied;
      });
      if (!outcome) break;
      report.processed++;
      report.applied.push(outcome);
    } catch (err) {
      if (!claimed) throw err;
      report.failed++;
      dueAgain(await recordFailure(deps, claimed, err));
    }
  }
  return report;
}

/** Marks the event applied (or due again after a backoff, for a `retry`); returns when it is due again, if it is. */
async function markDone(
  tx: Tx,
  provider: string,
  eventId: string,
  applied: AppliedEvent,
  attempts: number,
): Promise<Date | null> {
  const retry = applied.result === 'retry' && attempts + 1 < MAX_ATTEMPTS;
  const status = retry
    ? 'pending'
    : applied.result === 'retry'
      ? 'failed'
      : applied.result === 'ignored'
        ? 'ignored'
        : 'processed';
  const { rows } = await sql<{ available_at: Date }>`
    update payment_webhook_event set status = ${status}, result = ${applied.result},
           payment_id = coalesce(payment_id, ${applied.paymentId}::text), attempts = attempts + 1,
           processed_at = case when ${retry} then null else now() end,
           available_at = now() + make_interval(secs => ${backoffSeconds(attempts)})
     where provider = ${provider} and event_id = ${eventId}
     returning available_at`.execute(tx);
  const at = rows[0];
  return retry && at ? new Date(at.available_at) : null;
}

async function recordFailure(
  deps: PaymentsDeps,
  row: { provider: string; event_id: string },
  err: unknown,
): Promise<Date | null> {
  const { rows } = await sql<{ available_at: Date; status: string }>`
    update payment_webhook_event set attempts = attempts + 1, last_error = ${errorText(err)},
           status = case when attempts + 1 >= ${MAX_ATTEMPTS} then 'failed' else 'pending' end,
           available_at = now() + make_interval(secs => power(2, least(attempts, 10)))
     where provider = ${row.provider} and event_id = ${row.event_id}
     returning available_at, status`.execute(deps.db);
  const at = rows[0];
  return at && at.status === 'pending' ? new Date(at.available_at) : null;
}

/** 1, 2, 4 … seconds, at most ~17 minutes. */
function backoffSeconds(attempts: number): number {
  return 2 ** Math.min(attempts, 10);
}

/** For tests and tools: receive-then-process in one call, with the result of applying the event. */
export async function applyProviderEvent(
  deps: PaymentsDeps,
  providerId: string,
  event: ProviderEvent,
): Promise<ApplyResult> {
  return withTransaction(deps.db, async (tx) => (await applyEventInTx(tx, providerId, event)).result);
}

/** Inbox rows for operators and tests: newest first. */
export async function listWebhookEvents(deps: PaymentsDeps, opts: { provider?: string; limit?: number } = {}) {
  let q = deps.db
    .selectFrom('payment_webhook_event')
    .select([
      'provider',
      'event_id',
      'type',
      'provider_type',
      'payment_id',
      'status',
      'result',
      'attempts',
      'last_error',
      'received_at',
      'processed_at',
    ])
    .orderBy('received_at', 'desc')
    .limit(opts.limit ?? 50);
  if (opts.provider) q = q.where('provider', '=', opts.provider);
  return q.execute();
}
