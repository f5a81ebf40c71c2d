import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import { Country, Currency, IdParams, list, Name, Timestamps } from './checkout.schemas.js';
import { createRegion, deleteRegion, getRegion, listRegions, updateRegion } from './regions.service.js';

const tags = ['admin: regions'];
const Countries = Type.Array(Country, { maxItems: 250, uniqueItems: true, description: 'replaces the list' });

export const Region = Type.Object({
  id: Type.String(),
  name: Type.String(),
  currency: Type.String(),
  taxInclusive: Type.Boolean({ description: 'prices in this region are entered with tax included' }),
  countries: Type.Array(Type.String()),
  ...Timestamps,
});

/**
 * Regions: `settings:manage` to read and to change. They are shop configuration; there is no `settings:read`
 * permission, and the order, catalog and inventory read permissions are about other things.
 */
export async function regionRoutes(app: App, deps: { db: Db }) {
  const { db } = deps;
  const config = { auth: { permission: 'settings:manage' as const } };

  app.get(
    '/v1/admin/regions',
    { config, schema: { tags, summary: 'Every region, by name', response: { 200: list(Region) } } },
    async () => ({ data: await listRegions(db), nextCursor: null }),
  );

  app.get(
    '/v1/admin/regions/:id',
    { config, schema: { tags, summary: 'One region', params: IdParams, response: { 200: Region } } },
    async (request) => getRegion(db, request.params.id),
  );

  app.post(
    '/v1/admin/regions',
    {
      config,
      schema: {
        tags,
        summary: 'Create a region: one currency, its countries (each in at most one region), tax-inclusive or not',
        body: Type.Object(
          {
            name: Name,
            currency: Currency,
            countries: Type.Optional(Countries),
            taxInclusive: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: Region },
      },
    },
    async (request, reply) => {
      const region = await createRegion(db, requestAuditContext(request), request.body);
      reply.header('location', `/v1/admin/regions/${region.id}`);
      return reply.code(201).send(region);
    },
  );

  app.patch(
    '/v1/admin/regions/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Change a region; `countries` replaces its country list',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            currency: Type.Optional(Currency),
            countries: Type.Optional(Countries),
            taxInclusive: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Region },
      },
    },
    async (request) => updateRegion(db, requestAuditContext(request), request.params.id, request.body),
  );

  app.delete(
    '/v1/admin/regions/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Delete a region, its country list and its shipping options',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteRegion(db, requestAuditContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
