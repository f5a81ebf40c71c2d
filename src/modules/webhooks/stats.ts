import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { pendingFanOut } from './fanout.js';

export interface WebhookStats {
  /** Deliveries waiting to be sent (due, in flight, or waiting for a retry or for an earlier event). */
  pending: number;
  /** Deliveries that used every attempt. */
  failed: number;
  /** Enabled endpoints; disabled ones by reason. */
  endpoints: { enabled: number; manual: number; gone: number; failing: number };
  /** Sequenced outbox events the fan-out has not read yet: the webhook pipeline's lag. */
  fanOutBacklog: number;
}

/** For the metrics scrape: a few counts over partial indexes, cheap whatever the history. */
export async function webhookStats(db: Db): Promise<WebhookStats> {
  const { rows } = await sql<{
    pending: number;
    failed: number;
    enabled: number;
    manual: number;
    gone: number;
    failing: number;
  }>`
    select (select count(*) from webhook_delivery where status = 'pending')::int as pending,
           (select count(*) from webhook_delivery where status = 'failed')::int as failed,
           count(*) filter (where e.enabled)::int as enabled,
           count(*) filter (where e.disabled_reason = 'manual')::int as manual,
           count(*) filter (where e.disabled_reason = 'gone')::int as gone,
           count(*) filter (where e.disabled_reason = 'failing')::int as failing
      from webhook_endpoint e`.execute(db);
  const r = rows[0];
  return {
    pending: r?.pending ?? 0,
    failed: r?.failed ?? 0,
    endpoints: { enabled: r?.enabled ?? 0, manual: r?.manual ?? 0, gone: r?.gone ?? 0, failing: r?.failing ?? 0 },
    fanOutBacklog: await pendingFanOut({ db }),
  };
}
