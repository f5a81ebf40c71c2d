import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/database.js';
import { ValidationError } from '../../platform/errors.js';
import type { App } from '../../platform/http/types.js';
import { Country, Currency, IdParams, list, Name, Timestamps } from './checkout.schemas.js';
import {
  createRegion,
  deleteRegion,
  getRegion,
  listRegions,
  setRegionPaymentSettings,
  updateRegion,
} from './regions.service.js';

const tags = ['admin: regions'];
const Countries = Type.Array(Country, { maxItems: 250, uniqueItems: true, description: 'replaces the list' });

export const Region = Type.Object({
  id: Type.String(),
  name: Type.String(),
  currency: Type.String(),
  taxInclusive: Type.Boolean({ description: 'prices in this region are entered with tax included' }),
  countries: Type.Array(Type.String()),
  paymentProviders: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: 'payment providers offered in this region; null: every configured provider',
  }),
  captureMethod: Type.Union([Type.Literal('automatic'), Type.Literal('manual')]),
  ...Timestamps,
});

/**
 * Regions: `settings:manage` to read and to change. They are shop configuration; there is no `settings:read`
 * permission, and the order, catalog and inventory read permissions are about other things.
 */
export async function regionRoutes(app: App, deps: { db: Db; paymentProviderIds?: () => string[] }) {
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

  app.put(
    '/v1/admin/regions/:id/payment-settings',
    {
      // Which gateways take the shop's money is a payments decision, not general shop settings.
      config: { auth: { permission: 'payments:manage' as const } },
      schema: {
        tags,
        summary: 'Payment providers offered in the region (null: every configured one) and when money is captured',
        params: IdParams,
        body: Type.Object(
          {
            providers: Type.Union([
              Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), { maxItems: 20, uniqueItems: true }),
              Type.Null(),
            ]),
            captureMethod: Type.Union([Type.Literal('automatic'), Type.Literal('manual')]),
          },
          { additionalProperties: false },
        ),
        response: { 200: Region },
      },
    },
    async (request) => {
      const configured = deps.paymentProviderIds?.() ?? [];
      const errors = (request.body.providers ?? []).flatMap((p, i) =>
        configured.includes(p) ? [] : [{ path: `/body/providers/${i}`, message: `${p} is not a configured provider` }],
      );
      if (errors.length > 0) throw new ValidationError(errors);
      return setRegionPaymentSettings(db, requestAuditContext(request), request.params.id, request.body);
    },
  );
}
