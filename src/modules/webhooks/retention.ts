import { sql } from 'kysely';
import type { WebhooksDeps } from './webhooks.deps.js';
import './webhooks.tables.js';

/**
 * Retention of the webhook history (EVENT_RETENTION_DAYS, like the outbox): deletes stored events
 * older than `olderThanDays` whose deliveries are all done (delivered or failed) — their deliveries
 * and attempt logs go with them (ON DELETE CASCADE). An event with a delivery still pending is kept,
 * however old, so nothing is lost before it is sent or given up. Bounded batches, each one statement.
 * Returns how many events were deleted.
 */
export async function pruneWebhookHistory(
  deps: Pick<WebhooksDeps, 'db'>,
  olderThanDays: number,
  batch = 1000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await sql`
      delete from webhook_event where id in (
        select e.id from webhook_event e
         where e.created_at < now() - make_interval(days => ${olderThanDays})
           and not exists (select 1 from webhook_delivery d where d.event_id = e.id and d.status = 'pending')
         limit ${batch})`.execute(deps.db);
    const n = Number(res.numAffectedRows ?? 0n);
    total += n;
    if (n < batch) return total;
  }
}
