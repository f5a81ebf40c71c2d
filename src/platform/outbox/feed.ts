import { type SqlBool, sql } from 'kysely';
import type { Queryable } from '../db/database.js';
import type { OutboxEvent } from './outbox.js';
import { type OutboxEventRow, outboxEventOf } from './relay.sql.js';
import './outbox.tables.js';

/**
 * Consumers' reads of the outbox in commit order (the webhook fan-out and replay). Modules never
 * query outbox_event themselves: they call these. Only sequenced events are returned (see sequencer.ts).
 */

export interface SequencedEvent extends OutboxEvent {
  /** Commit-order position, as a string of digits (bigint). */
  position: string;
  sequencedAt: Date;
}

interface Row extends OutboxEventRow {
  position: string;
  sequenced_at: Date;
}

function toEvent(r: Row): SequencedEvent {
  return { ...outboxEventOf(r), position: String(r.position), sequencedAt: r.sequenced_at };
}

const POSITION = /^\d{1,19}$/;

/** A position as the string of digits bound to SQL (a bigint parameter). */
function positionParam(p: bigint | string | number): string {
  const s = typeof p === 'string' ? p : BigInt(p).toString();
  if (!POSITION.test(s)) throw new RangeError(`not an outbox position: ${s}`);
  return s;
}

function typeFilter(types: readonly string[] | undefined) {
  return types ? sql<SqlBool>`type = any(${[...types]}::text[])` : sql<SqlBool>`true`;
}

/**
 * Sequenced events after `afterPosition`, in position order, at most `limit` (one statement).
 * `types` narrows to those types (an empty list → nothing).
 */
export async function readEventsAfter(
  db: Queryable,
  q: { afterPosition: bigint | string | number; limit: number; types?: readonly string[] },
): Promise<SequencedEvent[]> {
  if (q.types?.length === 0) return [];
  const res = await sql<Row>`
    select id, type, aggregate_id, payload, request_id, attempts, created_at, position::text as position, sequenced_at
      from outbox_event
     where position > ${positionParam(q.afterPosition)}::bigint and ${typeFilter(q.types)}
     order by outbox_event.position
     limit ${q.limit}`.execute(db);
  return res.rows.map(toEvent);
}

/**
 * Sequenced events written at or after `since`, in position order, after `afterPosition` when
 * given (to page), at most `limit` (one statement). Replay's read: what is still kept (retention).
 */
export async function readEventsSince(
  db: Queryable,
  q: { since: Date; afterPosition?: bigint | string | number; limit: number; types?: readonly string[] },
): Promise<SequencedEvent[]> {
  if (q.types?.length === 0) return [];
  const res = await sql<Row>`
    select id, type, aggregate_id, payload, request_id, attempts, created_at, position::text as position, sequenced_at
      from outbox_event
     where position > ${positionParam(q.afterPosition ?? 0)}::bigint and created_at >= ${q.since}
       and ${typeFilter(q.types)}
     order by outbox_event.position
     limit ${q.limit}`.execute(db);
  return res.rows.map(toEvent);
}

/** The highest position given so far (0 when none): how far a consumer could read right now. */
export async function lastPosition(db: Queryable): Promise<string> {
  const res = await sql<{ p: string }>`
    select coalesce(max(position), 0)::text as p from outbox_event where position is not null`.execute(db);
  return res.rows[0]?.p ?? '0';
}

/** How many sequenced events lie after `afterPosition` (a consumer's backlog, for metrics). */
export async function countEventsAfter(db: Queryable, afterPosition: bigint | string | number): Promise<number> {
  const res = await sql<{ n: number }>`
    select count(*)::int as n from outbox_event where position > ${positionParam(afterPosition)}::bigint`.execute(db);
  return res.rows[0]?.n ?? 0;
}
