import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import { Amount, Id, IdParams, list, Name, Timestamps } from './checkout.schemas.js';
import { getRegion } from './regions.service.js';
import {
  createShippingOption,
  deleteShippingOption,
  getShippingOption,
  listShippingOptions,
  updateShippingOption,
} from './shipping-options.service.js';

const tags = ['admin: shipping options'];
const Band = Type.Object(
  { maxGrams: Type.Integer({ minimum: 0, maximum: 100_000_000 }), amount: Amount },
  { additionalProperties: false },
);
const Price = Type.Object(
  {
    kind: Type.Union([Type.Literal('flat'), Type.Literal('free_above'), Type.Literal('weight_bands')]),
    amount: Type.Optional(Amount),
    threshold: Type.Optional({ ...Amount, description: 'free_above: free when the discounted subtotal ≥ this' }),
    bands: Type.Optional(
      Type.Array(Band, {
        minItems: 1,
        maxItems: 100,
        description: 'weight_bands: ascending by maxGrams; a cart heavier than the last band cannot use the option',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'flat: amount; free_above: amount and threshold; weight_bands: bands. Minor units of the region currency.',
  },
);

const ShippingOption = Type.Object({
  id: Type.String(),
  regionId: Type.String(),
  stockLocationId: Type.String(),
  name: Type.String(),
  active: Type.Boolean(),
  price: Price,
  ...Timestamps,
});

/** Shipping options of a region: `settings:manage`. */
export async function shippingOptionRoutes(app: App, deps: { db: Db }) {
  const { db } = deps;
  const config = { auth: { permission: 'settings:manage' as const } };

  app.get(
    '/v1/admin/regions/:id/shipping-options',
    {
      config,
      schema: {
        tags,
        summary: "A region's shipping options (inactive ones too), by name",
        params: IdParams,
        response: { 200: list(ShippingOption) },
      },
    },
    async (request) => {
      await getRegion(db, request.params.id);
      return { data: await listShippingOptions(db, request.params.id), nextCursor: null };
    },
  );

  app.post(
    '/v1/admin/regions/:id/shipping-options',
    {
      config,
      schema: {
        tags,
        summary: 'Add a shipping option to a region, shipped from a stock location',
        params: IdParams,
        body: Type.Object(
          { name: Name, stockLocationId: Id, active: Type.Optional(Type.Boolean()), price: Price },
          { additionalProperties: false },
        ),
        response: { 201: ShippingOption },
      },
    },
    async (request, reply) => {
      const option = await createShippingOption(db, requestAuditContext(request), request.params.id, request.body);
      reply.header('location', `/v1/admin/shipping-options/${option.id}`);
      return reply.code(201).send(option);
    },
  );

  app.get(
    '/v1/admin/shipping-options/:id',
    { config, schema: { tags, summary: 'One shipping option', params: IdParams, response: { 200: ShippingOption } } },
    async (request) => getShippingOption(db, request.params.id),
  );

  app.patch(
    '/v1/admin/shipping-options/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Change a shipping option; `price` replaces the whole price',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            stockLocationId: Type.Optional(Id),
            active: Type.Optional(Type.Boolean()),
            price: Type.Optional(Price),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ShippingOption },
      },
    },
    async (request) => updateShippingOption(db, requestAuditContext(request), request.params.id, request.body),
  );

  app.delete(
    '/v1/admin/shipping-options/:id',
    { config, schema: { tags, summary: 'Delete a shipping option', params: IdParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await deleteShippingOption(db, requestAuditContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
