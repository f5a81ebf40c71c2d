import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { App } from '../../platform/http/types.js';
import { DeliveryDetail, DeliveryListQuery, DeliveryView } from './deliveries.schemas.js';
import { getDelivery, listDeliveries, redeliver } from './deliveries.service.js';
import type { WebhooksDeps } from './webhooks.deps.js';

const tags = ['admin: webhooks'];
const config = { auth: { permission: 'webhooks:manage' } } as const;
const DeliveryParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/** Webhook deliveries (`webhooks:manage`): what went where, each attempt, and sending one again. */
export async function deliveryRoutes(app: App, deps: WebhooksDeps) {
  const { db } = deps;

  app.get(
    '/v1/admin/webhook-deliveries',
    {
      config,
      schema: {
        tags,
        summary: 'Webhook deliveries, newest first, by endpoint, event, event type and status',
        querystring: DeliveryListQuery,
        response: {
          200: Type.Object({ data: Type.Array(DeliveryView), nextCursor: Type.Union([Type.Null(), Type.String()]) }),
        },
      },
    },
    async (request) => listDeliveries(db, request.query),
  );

  app.get(
    '/v1/admin/webhook-deliveries/:id',
    {
      config,
      schema: {
        tags,
        summary: 'One delivery with its body and every attempt (status, latency, start of the answer, error)',
        params: DeliveryParams,
        response: { 200: DeliveryDetail },
      },
    },
    async (request) => getDelivery(db, request.params.id),
  );

  app.post(
    '/v1/admin/webhook-deliveries/:id/redeliver',
    {
      config,
      schema: {
        tags,
        summary: 'Send a delivery again, now, with the same `webhook-id` and body',
        description:
          'Puts it back in the queue whatever its status and answers with the delivery; `attempts` keeps counting. ' +
          '409 `DELIVERY_IN_FLIGHT` while a worker is attempting it, 409 `ENDPOINT_DISABLED` when its endpoint is disabled.',
        params: DeliveryParams,
        response: { 202: DeliveryView },
      },
    },
    async (request, reply) => {
      const queued = await redeliver(deps, requestAuditContext(request), request.params.id);
      return reply.code(202).send(queued);
    },
  );
}
