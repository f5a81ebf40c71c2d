import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import { NotFoundError } from '../../platform/errors.js';
import type { App } from '../../platform/http/types.js';
import { CreateFulfillmentBody, Fulfillment, FulfillmentParams, ShipFulfillmentBody } from './fulfillments.schemas.js';
import { createFulfillment, deliverFulfillment, shipFulfillment } from './fulfillments.service.js';
import { listFulfillments } from './fulfillments.view.js';
import type { OrderDeps } from './orders.deps.js';

const OrderId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

/**
 * Admin fulfilment and shipment routes: pick units from a location (`orders:fulfil`), ship them with
 * tracking, mark them delivered; list an order's parcels (`orders:read`). Customers see the same
 * parcels (with tracking) in their order detail.
 */
export async function fulfillmentRoutes(app: App, deps: OrderDeps): Promise<void> {
  const tags = ['admin: orders'];

  app.get(
    '/v1/admin/orders/:id/fulfillments',
    {
      config: { auth: { permission: 'orders:read' } },
      schema: {
        tags,
        summary: "The order's fulfilments (parcels), oldest first, with lines, carrier and tracking",
        params: OrderId,
        response: { 200: Type.Object({ data: Type.Array(Fulfillment), nextCursor: Type.Null() }) },
      },
    },
    async (request) => {
      const data = await listFulfillments(deps.db, request.params.id);
      if (!data) throw new NotFoundError('Order', request.params.id);
      return { data, nextCursor: null };
    },
  );

  app.post(
    '/v1/admin/orders/:id/fulfillments',
    {
      config: { auth: { permission: 'orders:fulfil' } },
      schema: {
        tags,
        summary:
          'Fulfil some or all units of a placed order from one location (default: where they are reserved); ' +
          'reserved stock leaves the location',
        params: OrderId,
        body: CreateFulfillmentBody,
        response: { 201: Fulfillment },
      },
    },
    async (request, reply) => {
      const f = await createFulfillment(deps, requestAuditContext(request), {
        orderId: request.params.id,
        lines: request.body.lines,
        locationId: request.body.locationId,
      });
      return reply.code(201).send(f);
    },
  );

  app.post(
    '/v1/admin/orders/:id/fulfillments/:fulfillmentId/ship',
    {
      config: { auth: { permission: 'orders:fulfil' } },
      schema: {
        tags,
        summary:
          'Mark a fulfilment shipped with carrier and tracking; emails the customer unless notifyCustomer is false',
        params: FulfillmentParams,
        body: ShipFulfillmentBody,
        response: { 200: Fulfillment },
      },
    },
    async (request) =>
      shipFulfillment(deps, requestAuditContext(request), {
        orderId: request.params.id,
        fulfillmentId: request.params.fulfillmentId,
        carrier: request.body.carrier,
        trackingNumber: request.body.trackingNumber,
        trackingUrl: request.body.trackingUrl,
        notifyCustomer: request.body.notifyCustomer,
      }),
  );

  app.post(
    '/v1/admin/orders/:id/fulfillments/:fulfillmentId/deliver',
    {
      config: { auth: { permission: 'orders:fulfil' } },
      schema: {
        tags,
        summary: 'Mark a shipped fulfilment delivered; a paid order whose every unit is delivered becomes completed',
        params: FulfillmentParams,
        response: { 200: Fulfillment },
      },
    },
    async (request) =>
      deliverFulfillment(deps, requestAuditContext(request), {
        orderId: request.params.id,
        fulfillmentId: request.params.fulfillmentId,
      }),
  );
}
