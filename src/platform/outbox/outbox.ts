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

/**
 * Writes an event in the caller's transaction: it becomes visible to the relay only if that
 * transaction commits, and is lost only if the change itself is. Returns the event id.
 */
export async function appendEvent(tx: Tx, event: NewEvent): Promise<string> {
  const id = newId('event');
  await tx
    .insertInto('outbox_event')
    .values({
      id,
      type: event.type,
      aggregate_id: event.aggregateId ?? null,
      payload: JSON.stringify(event.payload),
      request_id: event.requestId ?? null,
    })
    .execute();
  return id;
}
