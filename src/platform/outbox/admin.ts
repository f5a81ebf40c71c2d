import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../audit/audit.js';
import type { Db, Queryable } from '../db/database.js';
import { withTransaction } from '../db/transaction.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { OutboxStatus } from './outbox.tables.js';
import './outbox.tables.js';

/** Operator views of the outbox: backlog for metrics, dead events to inspect and retry. */

export interface OutboxStats {
  pending: number;
  dead: number;
  oldestPendingAgeSeconds: number;
}

/** Backlog in one statement (partial indexes keep it cheap even with many delivered rows). */
export async function outboxStats(db: Db): Promise<OutboxStats> {
  const res = await sql<{ pending: number; dead: number; age: number | null }>`
    select
      (select count(*) from outbox_event where status = 'pending')::int as pending,
      (select count(*) from outbox_event where status = 'dead')::int as dead,
      (select extract(epoch from now() - min(created_at)) from outbox_event where status = 'pending')::float8 as age`.execute(
    db,
  );
  const row = res.rows[0];
  return { pending: row?.pending ?? 0, dead: row?.dead ?? 0, oldestPendingAgeSeconds: row?.age ?? 0 };
}

export interface OutboxEventRow {
  id: string;
  type: string;
  aggregateId: string | null;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  availableAt: Date;
  payload: Record<string, unknown>;
}

/** The columns of an `OutboxEventRow`: the operators' list and the events API read the same fields. */
const eventColumns = [
  'id',
  'type',
  'aggregate_id as aggregateId',
  'status',
  'attempts',
  'last_error as lastError',
  'created_at as createdAt',
  'available_at as availableAt',
  'payload',
] as const;

export async function listOutboxEvents(
  db: Db,
  q: { status?: OutboxStatus; limit: number; beforeId?: string },
): Promise<OutboxEventRow[]> {
  let query = db.selectFrom('outbox_event').select(eventColumns).orderBy('id', 'desc').limit(q.limit);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.beforeId) query = query.where('id', '<', q.beforeId);
  return (await query.execute()) as OutboxEventRow[];
}

export interface ListedEvent extends OutboxEventRow {
  requestId: string | null;
  /** Commit-order position (a string of digits): the consumer's cursor. */
  position: string;
  sequencedAt: Date;
}

/**
 * The newest sequenced events of the given types (the dashboard's activity): the `limit` newest of each type from the
 * (type, position) index, then the `limit` newest of those — `types × limit` index entries at most, whatever the
 * table's statistics say. The generic listing's plan depends on them: right after a burst of sequencing (statistics
 * taken while the positions were still null, until autovacuum analyzes again) it read every event, 20 ms a call.
 */
export async function latestEventsOfTypes(db: Db, types: readonly string[], limit: number): Promise<ListedEvent[]> {
  if (types.length === 0) return [];
  const res = await sql<ListedEvent>`
    select e.id, e.type, e.aggregate_id as "aggregateId", e.status, e.attempts, e.last_error as "lastError",
           e.created_at as "createdAt", e.available_at as "availableAt", e.payload, e.request_id as "requestId",
           e.position::text as position, e.sequenced_at as "sequencedAt"
      from unnest(${[...new Set(types)]}::text[]) as t(type)
      cross join lateral (
        select * from outbox_event o
         where o.type = t.type and o.position is not null
         order by o.position desc
         limit ${limit}) e
     order by e.position desc
     limit ${limit}`.execute(db);
  return res.rows;
}

export interface EventQuery {
  types?: readonly string[];
  aggregateId?: string;
  status?: OutboxStatus;
  /** Exclusive bound in the listing order: positions above it (asc) or below it (desc). */
  after?: string;
  order: 'asc' | 'desc';
  limit: number;
}

/**
 * The events API's read: sequenced events in commit order (or newest first), one statement on the
 * position indexes (by type, by aggregate, or all).
 */
export async function listEvents(db: Db, q: EventQuery): Promise<ListedEvent[]> {
  let query = db
    .selectFrom('outbox_event')
    .select([
      ...eventColumns,
      'request_id as requestId',
      sql<string>`position::text`.as('position'),
      'sequenced_at as sequencedAt',
    ])
    .where('position', 'is not', null)
    .orderBy('outbox_event.position', q.order)
    .limit(q.limit);
  if (q.types) query = query.where('type', 'in', [...q.types]);
  if (q.aggregateId) query = query.where('aggregate_id', '=', q.aggregateId);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.after !== undefined) {
    query = query.where(sql`position`, q.order === 'asc' ? '>' : '<', sql`${q.after}::bigint`);
  }
  return (await query.execute()) as ListedEvent[];
}

/** Puts a dead event back in the queue with a fresh attempt budget. Returns false if it is not dead. */
export async function retryDeadEvent(db: Queryable, id: string): Promise<boolean> {
  const res = await db
    .updateTable('outbox_event')
    .set({ status: 'pending', attempts: 0, available_at: sql<Date>`now()`, last_error: null })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

/**
 * The admin API's retry: puts a dead event back in the queue and records who did it, in one transaction.
 * @throws NotFoundError (no such event), ConflictError `EVENT_NOT_DEAD` (pending or delivered).
 */
export async function retryDeadEventAudited(db: Db, actor: AuditContext, id: string): Promise<void> {
  await withTransaction(db, async (tx) => {
    if (!(await retryDeadEvent(tx, id))) {
      const exists = await tx.selectFrom('outbox_event').select('status').where('id', '=', id).executeTakeFirst();
      if (!exists) throw new NotFoundError('Event', id);
      throw new ConflictError('EVENT_NOT_DEAD', `Event ${id} is ${exists.status}; only dead events can be retried.`);
    }
    await recordAudit(tx, actor, { action: 'event.retried', targetType: 'event', targetId: id });
  });
}

/**
 * Retention: deletes sequenced events created more than `olderThanDays` ago whatever their delivery
 * status — except `pending` ones, never lost before their handlers have them. Bounded batches (each
 * its own statement, so no long lock); returns the count. Unsequenced events are left for the
 * sequencer, so no consumer reading by position misses one.
 */
export async function pruneEvents(db: Db, olderThanDays: number, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await sql`
      delete from outbox_event where id in (
        select id from outbox_event
         where created_at < now() - make_interval(days => ${olderThanDays})
           and position is not null and status <> 'pending'
         limit ${batch})`.execute(db);
    const n = Number(res.numAffectedRows ?? 0n);
    total += n;
    if (n < batch) return total;
  }
}
