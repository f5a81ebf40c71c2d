import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { queueNotification } from '../../platform/notifications/notifications.js';
import { recordAudit, staffWithPermission, systemActor } from '../identity/index.js';
import type { WebhooksDeps } from './webhooks.deps.js';

/**
 * Endpoint health after a batch of attempts: a success clears `failing_since`; a failure sets it (if not
 * set) and `last_failure_at`. A `410 Gone` answer disables the endpoint (reason `gone`: the receiver asked
 * us to stop); an endpoint that has failed without any success for longer than `disableAfterHours` is
 * disabled (reason `failing`) and every active staff member whose role grants `webhooks:manage` gets one
 * email. Both are audited as system actions. Pending deliveries stay pending: re-enabling resumes them.
 */

export interface HealthInput {
  succeeded: boolean;
  failed: boolean;
  gone: boolean;
  lastError: string | null;
}

export interface HealthChange {
  /** Set when this batch disabled the endpoint. */
  disabled: 'gone' | 'failing' | null;
}

/**
 * `last_success_at` / `last_failure_at` are written at most about once a second per endpoint: a healthy
 * endpoint taking hundreds of deliveries a second would otherwise rewrite its row for each one.
 */
const HEALTH_WRITE_INTERVAL = sql`interval '1 second'`;

export async function applyEndpointHealth(
  deps: WebhooksDeps,
  tx: Tx,
  endpointId: string,
  h: HealthInput,
): Promise<HealthChange> {
  if (h.succeeded) {
    await sql`
      update webhook_endpoint set failing_since = null, last_success_at = now()
       where id = ${endpointId}
         and (failing_since is not null or last_success_at is null or last_success_at < now() - ${HEALTH_WRITE_INTERVAL})`.execute(
      tx,
    );
  }
  if (h.failed) {
    // A batch with a success is not "failing since": only the failure time moves.
    await sql`
      update webhook_endpoint
         set last_failure_at = now(),
             failing_since = case when ${h.succeeded} then failing_since else coalesce(failing_since, now()) end
       where id = ${endpointId}
         and ((failing_since is null and not ${h.succeeded})
              or last_failure_at is null or last_failure_at < now() - ${HEALTH_WRITE_INTERVAL})`.execute(tx);
  }
  if (h.gone) {
    const row = await disable(tx, endpointId, 'gone', sql`true`);
    if (row) {
      await audit(tx, endpointId, 'gone', row.failing_since);
      deps.logger.warn({ endpointId, reason: 'gone' }, 'webhooks: endpoint answered 410 Gone and was disabled');
      return { disabled: 'gone' };
    }
  }
  if (h.failed && !h.succeeded) {
    const hours = deps.settings.disableAfterHours;
    const row = await disable(
      tx,
      endpointId,
      'failing',
      sql`failing_since < now() - make_interval(hours => ${hours}::int)`,
    );
    if (row) {
      await audit(tx, endpointId, 'failing', row.failing_since);
      const recipients = await staffWithPermission(tx, 'webhooks:manage');
      for (const to of recipients) {
        await queueNotification(tx, {
          template: 'webhook-endpoint-disabled',
          to,
          templatesDir: deps.mail.templatesDir,
          data: {
            shopName: deps.mail.shopName,
            url: row.url,
            endpointId,
            failingSince: row.failing_since?.toISOString() ?? 'unknown',
            hours: String(hours),
            lastError: h.lastError ?? 'none recorded',
          },
        });
      }
      deps.logger.warn(
        { endpointId, reason: 'failing', failingSince: row.failing_since, notified: recipients.length },
        'webhooks: endpoint failing too long was disabled; staff with webhooks:manage notified',
      );
      return { disabled: 'failing' };
    }
  }
  return { disabled: null };
}

async function disable(tx: Tx, endpointId: string, reason: 'gone' | 'failing', condition: ReturnType<typeof sql>) {
  const { rows } = await sql<{ url: string; failing_since: Date | null }>`
    update webhook_endpoint
       set enabled = false, disabled_reason = ${reason}, disabled_at = now(), updated_at = now(), version = version + 1
     where id = ${endpointId} and enabled and ${condition}
    returning url, failing_since`.execute(tx);
  return rows[0];
}

async function audit(tx: Tx, endpointId: string, reason: string, failingSince: Date | null): Promise<void> {
  await recordAudit(tx, systemActor, {
    action: 'webhook_endpoint.disabled',
    targetType: 'webhook_endpoint',
    targetId: endpointId,
    changes: { enabled: false, reason, failingSince: failingSince?.toISOString() ?? null },
  });
}
