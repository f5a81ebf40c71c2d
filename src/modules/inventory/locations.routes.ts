import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { App } from '../../platform/http/types.js';
import type { InventoryDeps } from './deps.js';
import { CreateLocationBody, IdParams, Location, tags, UpdateLocationBody } from './inventory.schemas.js';
import { createLocation, getLocation, listLocations, updateLocation } from './locations.service.js';

/** Stock locations: `inventory:read` to list, `inventory:adjust` to create and change. */
export async function locationRoutes(app: App, deps: InventoryDeps) {
  const { db } = deps;

  app.get(
    '/v1/admin/inventory/locations',
    {
      config: { auth: { permission: 'inventory:read' } },
      schema: {
        tags,
        summary: 'Every stock location, in allocation order (priority, then id)',
        response: { 200: Type.Object({ data: Type.Array(Location), nextCursor: Type.Null() }) },
      },
    },
    async () => ({ data: await listLocations(db), nextCursor: null }),
  );

  app.get(
    '/v1/admin/inventory/locations/:id',
    {
      config: { auth: { permission: 'inventory:read' } },
      schema: { tags, summary: 'One stock location', params: IdParams, response: { 200: Location } },
    },
    async (request) => getLocation(db, request.params.id),
  );

  app.post(
    '/v1/admin/inventory/locations',
    {
      config: { auth: { permission: 'inventory:adjust' } },
      schema: {
        tags,
        summary: 'Create a stock location (every item gets an empty level there)',
        body: CreateLocationBody,
        response: { 201: Location },
      },
    },
    async (request, reply) => {
      const location = await createLocation(deps, requestAuditContext(request), request.body);
      reply.header('location', `/v1/admin/inventory/locations/${location.id}`);
      return reply.code(201).send(location);
    },
  );

  app.patch(
    '/v1/admin/inventory/locations/:id',
    {
      config: { auth: { permission: 'inventory:adjust' } },
      schema: {
        tags,
        summary: 'Change a stock location; stock at an inactive location is not sellable',
        params: IdParams,
        body: UpdateLocationBody,
        response: { 200: Location },
      },
    },
    async (request) => updateLocation(deps, requestAuditContext(request), request.params.id, request.body),
  );
}
