import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { newId } from '../../platform/ids.js';
import { PING_EVENT_TYPE } from './catalogue.js';
import { webhookBody } from './fanout.js';
import type { WebhooksDeps } from './webhooks.deps.js';
import { EndpointDisabledError, WebhookEndpointNotFoundError } from './webhooks.errors.js';

/**
 * `POST /v1/admin/webhook-endpoints/{id}/test`: queues a `ping` event for one endpoint. It is an
 * event of its own (a `webhook_event` row whose id is the `webhook-id`) with one pending delivery;
 * the delivery workers send it like any other, with the same body shape:
 * `{"type":"ping","timestamp":…,"sequence":0,"data":{"endpointId":…,"message":…}}`.
 * Its ordering key is the endpoint itself (sequence 0), so a ping never waits behind, nor holds
 * back, the endpoint's real events.
 */

export const PING_MESSAGE = 'Test event from Backroom: this endpoint is receiving webhooks.';

/** @throws 404 (unknown endpoint), 409 EndpointDisabledError. */
export async function queueTestPing(
  deps: WebhooksDeps,
  ctx: AuditContext,
  endpointId: string,
): Promise<{ eventId: string; deliveryId: string }> {
  return withTransaction(deps.db, async (tx) => {
    // FOR SHARE: a concurrent disable or delete waits for the ping to be queued, not the other way round.
    const endpoint = await tx
      .selectFrom('webhook_endpoint')
      .select('enabled')
      .where('id', '=', endpointId)
      .forShare()
      .executeTakeFirst();
    if (!endpoint) throw new WebhookEndpointNotFoundError(endpointId);
    if (!endpoint.enabled) throw new EndpointDisabledError(endpointId);
    const eventId = newId('event');
    const deliveryId = newId('webhookDelivery');
    const now = new Date();
    const data = { endpointId, message: PING_MESSAGE };
    const body = webhookBody(PING_EVENT_TYPE, now, '0', data);
    await tx
      .insertInto('webhook_event')
      .values({ id: eventId, type: PING_EVENT_TYPE, resource_id: endpointId, sequence: 0, body, occurred_at: now })
      .execute();
    await tx
      .insertInto('webhook_delivery')
      .values({
        id: deliveryId,
        endpoint_id: endpointId,
        event_id: eventId,
        event_type: PING_EVENT_TYPE,
        resource_id: endpointId,
        sequence: 0,
        status: 'pending',
        leased_until: null,
        last_status_code: null,
        last_error: null,
        delivered_at: null,
      })
      .execute();
    await recordAudit(tx, ctx, {
      action: 'webhook_endpoint.tested',
      targetType: 'webhook_endpoint',
      targetId: endpointId,
      changes: { eventId, deliveryId },
    });
    return { eventId, deliveryId };
  });
}
