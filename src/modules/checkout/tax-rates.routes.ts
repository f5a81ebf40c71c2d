import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import { Country, Id, IdParams, list, Name, Rate, Timestamps } from './checkout.schemas.js';
import { createTaxRate, deleteTaxRate, getTaxRate, listTaxRates, updateTaxRate } from './tax-rates.service.js';

const tags = ['admin: tax rates'];
const Province = Type.String({ pattern: '^[A-Z0-9]{1,3}$', description: 'ISO 3166-2 subdivision part, e.g. NY' });
const Override = Type.Object(
  { categoryId: Id, rate: Rate },
  { additionalProperties: false, description: 'a category (and its descendants) taxed at another rate' },
);
const Overrides = Type.Array(Override, {
  maxItems: 1000,
  description:
    'replaces the list. The most specific category wins; a product in several categories whose deepest overrides ' +
    'are equally deep gets the lowest of those rates',
});

const TaxRate = Type.Object({
  id: Type.String(),
  countryCode: Type.String(),
  provinceCode: Type.Union([Type.Null(), Type.String()]),
  name: Type.String(),
  rate: Type.Integer({ description: 'thousandths of a percent: 19000 = 19%' }),
  overrides: Type.Array(Type.Object({ categoryId: Type.String(), rate: Type.Integer() })),
  ...Timestamps,
});

/** Tax rates per country (and province) with per-category overrides: `settings:manage`. */
export async function taxRateRoutes(app: App, deps: { db: Db }) {
  const { db } = deps;
  const config = { auth: { permission: 'settings:manage' as const } };

  app.get(
    '/v1/admin/tax-rates',
    {
      config,
      schema: {
        tags,
        summary: 'Every tax rate by country, country-wide rate first',
        querystring: Type.Object({ countryCode: Type.Optional(Country) }, { additionalProperties: false }),
        response: { 200: list(TaxRate) },
      },
    },
    async (request) => ({ data: await listTaxRates(db, request.query), nextCursor: null }),
  );

  app.get(
    '/v1/admin/tax-rates/:id',
    { config, schema: { tags, summary: 'One tax rate', params: IdParams, response: { 200: TaxRate } } },
    async (request) => getTaxRate(db, request.params.id),
  );

  app.post(
    '/v1/admin/tax-rates',
    {
      config,
      schema: {
        tags,
        summary: 'Create the tax rate of a country (or of one of its provinces)',
        body: Type.Object(
          {
            countryCode: Country,
            provinceCode: Type.Optional(Type.Union([Type.Null(), Province])),
            name: Name,
            rate: Rate,
            overrides: Type.Optional(Overrides),
          },
          { additionalProperties: false },
        ),
        response: { 201: TaxRate },
      },
    },
    async (request, reply) => {
      const rate = await createTaxRate(db, requestAuditContext(request), request.body);
      reply.header('location', `/v1/admin/tax-rates/${rate.id}`);
      return reply.code(201).send(rate);
    },
  );

  app.patch(
    '/v1/admin/tax-rates/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Change a tax rate; `overrides` replaces its override list',
        params: IdParams,
        body: Type.Object(
          {
            countryCode: Type.Optional(Country),
            provinceCode: Type.Optional(Type.Union([Type.Null(), Province])),
            name: Type.Optional(Name),
            rate: Type.Optional(Rate),
            overrides: Type.Optional(Overrides),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: TaxRate },
      },
    },
    async (request) => updateTaxRate(db, requestAuditContext(request), request.params.id, request.body),
  );

  app.delete(
    '/v1/admin/tax-rates/:id',
    {
      config,
      schema: { tags, summary: 'Delete a tax rate', params: IdParams, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await deleteTaxRate(db, requestAuditContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
