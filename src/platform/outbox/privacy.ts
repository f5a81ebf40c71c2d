import { sql } from 'kysely';
import type { Tx } from '../db/database.js';
import './outbox.tables.js';

/**
 * Erasure requests and the outbox: events are kept EVENT_RETENTION_DAYS and some carry the buyer's email in their
 * payload (an order's `placed` event), which the activity feed and the events API show. This replaces that email in
 * the events of the given resources with `erased-<resource id>@erased.invalid`; nothing else of an event changes
 * (type, position and delivery state stay, so consumers and the relay are unaffected). Returns how many changed.
 * Already rendered webhook bodies are the webhooks module's and are left to its retention.
 */
export async function redactEventEmails(tx: Tx, aggregateIds: readonly string[]): Promise<number> {
  if (aggregateIds.length === 0) return 0;
  const res = await sql`
    update outbox_event
       set payload = payload || jsonb_build_object('email', 'erased-' || aggregate_id || '@erased.invalid')
     where aggregate_id = any(${[...aggregateIds]}::text[]) and payload ? 'email'`.execute(tx);
  return Number(res.numAffectedRows ?? 0);
}
