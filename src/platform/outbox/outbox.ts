import { sql } from 'kysely';
import type { Tx } from '../db/database.js';
import { newId } from '../ids.js';
import './outbox.tables.js';

/** An event as written by a command. `type` is `<module>.<past_tense>`, e.g. `order.placed`. */
export interface NewEvent {
  type: string;
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
 * @throws InvalidEventTypeError when `event.type` is not `<module>.<past_tense>`.
 */
export async function appendEvent(tx: Tx, event: NewEvent): Promise<string> {
  if (!EVENT_TYPE.test(event.type)) throw new InvalidEventTypeError(event.type);
  const id = newId('event');
  await tx
    .insertInto('outbox_event')
    .values({
      id,
      type: event.type,
      aggregate_id: event.aggregateId ?? null,
      // As text, cast by the server: postgres.js JSON-encodes a string bound to a jsonb
      // parameter a second time, which would store the payload as one JSON string.
      payload: sql<string>`${JSON.stringify(event.payload)}::text::jsonb`,
      request_id: event.requestId ?? null,
    })
    .execute();
  return id;
}
