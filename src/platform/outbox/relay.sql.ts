import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { OutboxEvent } from './outbox.js';
import './outbox.tables.js';

/** The relay's statements. Every write after the claim is a compare-and-set on `attempts`. */

export interface Claimed extends OutboxEvent {}

/** The columns an `OutboxEvent` is read from (the relay's claim and the consumers' feed). */
export interface OutboxEventRow {
  id: string;
  type: string;
  aggregate_id: string | null;
  payload: Record<string, unknown>;
  request_id: string | null;
  attempts: number;
  created_at: Date;
}

interface ClaimedRow extends OutboxEventRow {
  status: 'pending' | 'dead';
}

/**
 * Claims up to `batchSize` due events and leases them: one statement that locks candidate rows
 * with FOR UPDATE SKIP LOCKED (so concurrent relays take disjoint rows) and pushes their
 * `available_at` past the lease, so after it commits no other relay can claim them until the
 * lease runs out. `attempts` counts the claim; an event that comes due again with its attempts
 * used up had its last lease run out without an outcome (the relay crashed, perhaps because of
 * this very event), so it is marked dead here instead of being delivered forever.
 */
export async function claimBatch(
  db: Db,
  batchSize: number,
  leaseMs: number,
  maxAttempts: number,
): Promise<{ claimed: Claimed[]; buried: Claimed[] }> {
  const res = await sql<ClaimedRow>`
    update outbox_event e
       set available_at = now() + make_interval(secs => ${leaseMs / 1000}),
           attempts = case when e.attempts < ${maxAttempts} then e.attempts + 1 else e.attempts end,
           status = case when e.attempts < ${maxAttempts} then 'pending' else 'dead' end,
           last_error = case when e.attempts < ${maxAttempts} then e.last_error
                        else 'no outcome recorded for the last attempt: the relay stopped while delivering it' end
     where e.id in (
       select id from outbox_event
        where status = 'pending' and available_at <= now()
        order by available_at, id
        limit ${batchSize}
        for update skip locked)
    returning e.id, e.type, e.aggregate_id, e.payload, e.request_id, e.attempts, e.created_at, e.status`.execute(db);
  const events = res.rows.sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    claimed: events.filter((r) => r.status === 'pending').map(outboxEventOf),
    buried: events.filter((r) => r.status === 'dead').map(outboxEventOf),
  };
}

export function outboxEventOf(r: OutboxEventRow): OutboxEvent {
  return {
    id: r.id,
    type: r.type,
    aggregateId: r.aggregate_id,
    payload: r.payload,
    requestId: r.request_id,
    attempts: r.attempts,
    createdAt: r.created_at,
  };
}

/** Marks events delivered, each only if this relay still holds its lease. Returns how many were. */
export async function recordDelivered(db: Db, events: Claimed[]): Promise<number> {
  if (events.length === 0) return 0;
  const res = await sql`
    update outbox_event e set status = 'delivered', delivered_at = now(), last_error = null
      from unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.attempts)}::int[]) as d(id, attempts)
     where e.id = d.id and e.attempts = d.attempts and e.status = 'pending'`.execute(db);
  return Number(res.numAffectedRows ?? 0n);
}

/** Records a failed attempt (retry after `retryInMs`, or dead). False if the lease was lost. */
export async function recordFailure(
  db: Db,
  event: Claimed,
  outcome: { dead: boolean; message: string; retryInMs: number },
): Promise<boolean> {
  const res = await db
    .updateTable('outbox_event')
    .set({
      status: outcome.dead ? 'dead' : 'pending',
      last_error: outcome.message.slice(0, 2000),
      available_at: sql<Date>`now() + make_interval(secs => ${outcome.retryInMs / 1000})`,
    })
    .where('id', '=', event.id)
    .where('attempts', '=', event.attempts)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

/** Gives back claimed events a relay did not start, so any relay takes them now, attempt unspent. */
export async function releaseUnstarted(db: Db, events: Claimed[]): Promise<void> {
  if (events.length === 0) return;
  await sql`
    update outbox_event e set available_at = now(), attempts = e.attempts - 1
      from unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.attempts)}::int[]) as d(id, attempts)
     where e.id = d.id and e.attempts = d.attempts and e.status = 'pending'`.execute(db);
}
