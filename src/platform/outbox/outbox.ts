import { sql } from 'kysely';
import { writeBeforeCommit } from '../db/before-commit.js';
import type { Tx } from '../db/database.js';
import { newId } from '../ids.js';
import './outbox.tables.js';

/**
 * Every event type the code emits. Empty here: each module declares the types it emits in its own
 * `<m>.events.ts` by declaration merging (`declare module '…/outbox.js' { interface EventTypes {
 * 'order.placed': true } }`), the platform its own next to the code that emits them. `appendEvent`
 * accepts only declared types, and the app's event catalogue (`src/event-catalogue.ts`) must give each
 * one a webhook entry or a reason to stay internal — so a new type cannot reach the outbox without
 * the compiler asking what consumers get. The value carries nothing (payloads stay records: a
 * webhook's `data` is the rendered resource, not the payload).
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging from every module's events file.
export interface EventTypes {}

/** A declared event type. */
export type EventType = keyof EventTypes & string;

/** An event as written by a command. `type` is `<module>.<past_tense>`, e.g. `order.placed`. */
export interface NewEvent<T extends string = EventType> {
  type: T;
  /** The id of the thing the event is about (order id, product id …), for filtering and tracing. */
  aggregateId?: string;
  payload: Record<string, unknown>;
  /** The HTTP request that caused the event, to follow a change from request to side effects. */
  requestId?: string;
}

/** An event as handed to handlers by the relay. */
export interface OutboxEvent {
  id: string;
  type: string;
  aggregateId: string | null;
  payload: Record<string, unknown>;
  requestId: string | null;
  attempts: number;
  createdAt: Date;
}

/** `<module>.<past_tense>`, as the table's CHECK constraint also insists. */
const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** A programming error: caught here with the type named, not later as an anonymous CHECK violation. */
export class InvalidEventTypeError extends Error {
  constructor(readonly type: string) {
    super(`outbox event type "${type}" is not <module>.<past_tense> (lower-case, dot-separated)`);
    this.name = 'InvalidEventTypeError';
  }
}

/**
 * Writes an event in the caller's transaction: it becomes visible to the relay only if that
 * transaction commits, and is lost only if the change itself is. Returns the event id.
 * `event.type` must be declared in `EventTypes`; a test or bench writing a made-up type says so
 * with `appendEvent<string>(…)` (the type argument is never inferred from the event).
 * @throws InvalidEventTypeError when `event.type` is not `<module>.<past_tense>`.
 */
export async function appendEvent<T extends string = EventType>(tx: Tx, event: NewEvent<NoInfer<T>>): Promise<string> {
  if (!EVENT_TYPE.test(event.type)) throw new InvalidEventTypeError(event.type);
  const row = eventRow(event);
  // Nothing reads the outbox inside the transaction that writes it: the events of one transaction
  // go in as one statement just before it commits (see before-commit.ts).
  await writeBeforeCommit(tx, 'outbox_event', row, insertEventRows);
  return row.id;
}

function eventRow(event: NewEvent<string>) {
  return {
    id: newId('event'),
    type: event.type,
    aggregate_id: event.aggregateId ?? null,
    // As text, cast by the server: postgres.js JSON-encodes a string bound to a jsonb
    // parameter a second time, which would store the payload as one JSON string.
    payload: sql<string>`${JSON.stringify(event.payload)}::text::jsonb`,
    request_id: event.requestId ?? null,
  };
}

async function insertEventRows(tx: Tx, rows: readonly ReturnType<typeof eventRow>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += EVENTS_PER_STATEMENT) {
    await tx
      .insertInto('outbox_event')
      .values(rows.slice(i, i + EVENTS_PER_STATEMENT))
      .execute();
  }
}

/** Rows per statement of `appendEvents` (5 parameters each, well under PostgreSQL's 65,535). */
const EVENTS_PER_STATEMENT = 1000;

/**
 * `appendEvent` for many events at once: one multi-row insert per 1,000 events instead of one
 * statement each, in the caller's transaction and in the given order (ids ascend with it, as
 * they would for one `appendEvent` after another). Bulk writes (imports, the seed, stock levels
 * set for thousands of items) use it. Returns the event ids.
 * @throws InvalidEventTypeError when a type is not `<module>.<past_tense>` (before anything is written).
 */
export async function appendEvents<T extends string = EventType>(
  tx: Tx,
  events: readonly NewEvent<NoInfer<T>>[],
): Promise<string[]> {
  for (const event of events) if (!EVENT_TYPE.test(event.type)) throw new InvalidEventTypeError(event.type);
  const rows = events.map(eventRow);
  await insertEventRows(tx, rows);
  return rows.map((r) => r.id);
}
