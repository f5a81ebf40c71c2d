import { Type } from 'typebox';
import type { Db } from '../../platform/db/database.js';
import { ValidationError } from '../../platform/errors.js';
import type { App } from '../../platform/http/types.js';
import { Amount, Country, IdParams } from './checkout.schemas.js';
import { getRegion } from './regions.service.js';
import { availableShippingOptions } from './shipping-options.service.js';
import { taxRuleFor } from './tax-rates.service.js';
import { computeTotals } from './totals.js';

const tags = ['admin: regions'];

const Preview = Type.Object({
  currency: Type.String(),
  taxInclusive: Type.Boolean(),
  taxRate: Type.Integer({ description: "the destination's standard rate, thousandths of a percent (0 without one)" }),
  taxRateName: Type.Union([Type.String(), Type.Null()]),
  options: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      shipping: Type.Integer({ description: 'the option price, in the region price convention' }),
      tax: Type.Integer({ description: 'merchandise tax + shipping tax' }),
      shippingTotal: Type.Integer(),
      total: Type.Integer(),
    }),
  ),
});

/**
 * What a sample cart would pay in a region, priced by the checkout's own rules (shipping options, the
 * destination's standard tax rate, `computeTotals`). `settings:manage`; reads only.
 */
export async function regionPreviewRoutes(app: App, deps: { db: Db }) {
  const { db } = deps;
  app.post(
    '/v1/admin/regions/:id/preview',
    {
      config: { auth: { permission: 'settings:manage' as const } },
      schema: {
        tags,
        summary:
          'Preview a sample cart (subtotal, weight, destination) in a region: tax and shipping for each option it could use. No writes',
        params: IdParams,
        body: Type.Object(
          {
            subtotal: { ...Amount, description: 'merchandise, minor units, in the region price convention' },
            weightGrams: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
            countryCode: Country,
          },
          { additionalProperties: false },
        ),
        response: { 200: Preview },
      },
    },
    async (request) => {
      const region = await getRegion(db, request.params.id);
      const { subtotal, weightGrams, countryCode } = request.body;
      if (!region.countries.includes(countryCode)) {
        throw new ValidationError([
          { path: '/body/countryCode', message: `${countryCode} is not one of this region's countries` },
        ]);
      }
      const rule = await taxRuleFor(db, { countryCode, provinceCode: null });
      const taxRate = rule?.rate ?? 0;
      const input = {
        currency: region.currency,
        taxInclusive: region.taxInclusive,
        lines: [{ lineId: 'sample', unitPrice: subtotal, quantity: 1, taxRate, weightGrams }],
      };
      const options = await availableShippingOptions(db, region.id, { subtotal, weightGrams });
      return {
        currency: region.currency,
        taxInclusive: region.taxInclusive,
        taxRate,
        taxRateName: rule?.name ?? null,
        options: options.map((o) => {
          const totals = computeTotals({ ...input, shipping: { amount: o.amount, taxRate } });
          return {
            id: o.id,
            name: o.name,
            shipping: o.amount,
            tax: totals.taxTotal,
            shippingTotal: totals.shippingTotal,
            total: totals.total,
          };
        }),
      };
    },
  );
}
