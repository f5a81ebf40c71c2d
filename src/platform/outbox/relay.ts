import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { EventHandlers } from './handlers.js';
import type { OutboxEvent } from './outbox.js';
import './outbox.tables.js';

export interface RelayOptions {
  batchSize: number;
  pollIntervalMs: number;
  /** Deliveries (including the first) before an event is marked dead. */
  maxAttempts: number;
  /** How long a claimed event is reserved for this relay. Must exceed `handlerTimeoutMs`. */
  leaseMs?: number;
  handlerTimeoutMs?: number;
  /** First retry delay; doubles each attempt up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface RelayDeps {
  db: Db;
  handlers: EventHandlers;
  logger: Logger;
  metrics?: Metrics;
}

interface Claimed extends OutboxEvent {}

/**
 * Claims up to `batchSize` due events and leases them: one statement that locks candidate rows
 * with FOR UPDATE SKIP LOCKED (so concurrent relays take disjoint rows) and pushes their
 * `available_at` past the lease, so after it commits no other relay can claim them until the
 * lease runs out. `attempts` counts the claim, so an event that crashes the process still ends
 * up dead after `maxAttempts`.
 */
async function claimBatch(db: Db, batchSize: number, leaseMs: number): Promise<Claimed[]> {
  const res = await sql<{
    id: string;
    type: string;
    aggregate_id: string | null;
    payload: Record<string, unknown>;
    request_id: string | null;
    attempts: number;
    created_at: Date;
  }>`
    update outbox_event e
       set available_at = now() + make_interval(secs => ${leaseMs / 1000}), attempts = e.attempts + 1
     where e.id in (
       select id from outbox_event
        where status = 'pending' and available_at <= now()
        order by available_at, id
        limit ${batchSize}
        for update skip locked)
    returning e.id, e.type, e.aggregate_id, e.payload, e.request_id, e.attempts, e.created_at`.execute(db);
  return res.rows
    .map((r) => ({
      id: r.id,
      type: r.type,
      aggregateId: r.aggregate_id,
      payload: r.payload,
      requestId: r.request_id,
      attempts: r.attempts,
      createdAt: r.created_at,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

async function dispatch(event: Claimed, deps: RelayDeps, timeoutMs: number): Promise<void> {
  for (const h of deps.handlers.for(event.type)) {
    const signal = AbortSignal.timeout(timeoutMs);
    const logger = deps.logger.child({ eventId: event.id, eventType: event.type, handler: h.name });
    await Promise.race([
      h.handle(event, { logger, signal }),
      new Promise<never>((_, reject) => {
        const fail = () => reject(new Error(`handler ${h.name} timed out or was stopped`));
        if (signal.aborted) fail();
        else signal.addEventListener('abort', fail, { once: true });
      }),
    ]);
  }
}

function backoffMs(attempts: number, base: number, max: number): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

/**
 * One relay round: claim a batch, hand each event to its handlers, record the outcome. Outcomes are
 * written only while this relay still holds the lease (`attempts` unchanged), so a relay that
 * lost its lease cannot overwrite a newer delivery. Returns how many events were claimed.
 */
export async function relayOnce(deps: RelayDeps, opts: RelayOptions, stopSignal = new AbortController().signal) {
  const leaseMs = opts.leaseMs ?? 60_000;
  const timeoutMs = opts.handlerTimeoutMs ?? Math.floor(leaseMs / 2);
  const batch = await claimBatch(deps.db, opts.batchSize, leaseMs);
  const delivered: Claimed[] = [];
  for (const [index, event] of batch.entries()) {
    if (stopSignal.aborted) {
      await releaseUnstarted(deps.db, batch.slice(index));
      break;
    }
    try {
      await dispatch(event, deps, timeoutMs);
      delivered.push(event);
    } catch (err) {
      const dead = event.attempts >= opts.maxAttempts;
      const message = err instanceof Error ? err.message : String(err);
      deps.logger[dead ? 'error' : 'warn'](
        { eventId: event.id, eventType: event.type, attempts: event.attempts, err },
        dead ? 'outbox event is dead after its last attempt' : 'outbox delivery failed; will retry',
      );
      deps.metrics?.outboxDelivered.inc({ outcome: dead ? 'dead' : 'failed' });
      const retryIn = backoffMs(event.attempts, opts.baseBackoffMs ?? 1000, opts.maxBackoffMs ?? 3_600_000);
      await deps.db
        .updateTable('outbox_event')
        .set({
          status: dead ? 'dead' : 'pending',
          last_error: message.slice(0, 2000),
          available_at: sql<Date>`now() + make_interval(secs => ${retryIn / 1000})`,
        })
        .where('id', '=', event.id)
        .where('attempts', '=', event.attempts)
        .execute();
    }
  }
  if (delivered.length > 0) {
    // One statement for the whole batch; each row only if we still hold its lease.
    await sql`
      update outbox_event e set status = 'delivered', delivered_at = now(), last_error = null
        from unnest(${delivered.map((e) => e.id)}::text[], ${delivered.map((e) => e.attempts)}::int[]) as d(id, attempts)
       where e.id = d.id and e.attempts = d.attempts and e.status = 'pending'`.execute(deps.db);
    deps.metrics?.outboxDelivered.inc({ outcome: 'delivered' }, delivered.length);
  }
  return batch.length;
}

/** Gives back claimed events a stopping relay did not start, so another relay takes them now. */
async function releaseUnstarted(db: Db, events: Claimed[]): Promise<void> {
  if (events.length === 0) return;
  await sql`
    update outbox_event e set available_at = now(), attempts = e.attempts - 1
      from unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.attempts)}::int[]) as d(id, attempts)
     where e.id = d.id and e.attempts = d.attempts and e.status = 'pending'`.execute(db);
}

export interface RunningRelay {
  /** Stops claiming, lets the current round finish, resolves when idle. */
  stop(): Promise<void>;
}

/** Runs relay rounds until stopped: immediately again after a full batch, else after the poll interval. */
export function startRelay(deps: RelayDeps, opts: RelayOptions): RunningRelay {
  const stopper = new AbortController();
  const loop = (async () => {
    while (!stopper.signal.aborted) {
      let claimed = 0;
      try {
        claimed = await relayOnce(deps, opts, stopper.signal);
      } catch (err) {
        deps.logger.error({ err }, 'outbox relay round failed; retrying after the poll interval');
      }
      if (claimed < opts.batchSize) {
        await sleep(opts.pollIntervalMs, undefined, { signal: stopper.signal }).catch(() => {});
      }
    }
  })();
  return {
    async stop() {
      stopper.abort();
      await loop;
    },
  };
}
