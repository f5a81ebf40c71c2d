import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { ownerClient, stockLocation, unique } from './checkout.helpers.js';

let t: TestApp;
let call: Awaited<ReturnType<typeof ownerClient>>;
let regionId: string;
beforeAll(async () => {
  t = await createTestApp();
  call = await ownerClient(t);
  const locationId = await stockLocation(call);
  regionId = (
    await call('POST', '/v1/admin/regions', {
      name: unique('Preview'),
      currency: 'EUR',
      countries: ['LU', 'MT'],
      taxInclusive: false,
    })
  ).json<{ id: string }>().id;
  await call('POST', '/v1/admin/tax-rates', { countryCode: 'LU', name: 'TVA', rate: 17000 });
  const option = (price: Record<string, unknown>, name: string) =>
    call('POST', `/v1/admin/regions/${regionId}/shipping-options`, { name, stockLocationId: locationId, price });
  await option({ kind: 'flat', amount: 500 }, 'Flat');
  await option({ kind: 'free_above', amount: 700, threshold: 5000 }, 'Free above');
  await option({ kind: 'weight_bands', bands: [{ maxGrams: 1000, amount: 300 }] }, 'Light');
});
afterAll(async () => {
  await t?.close();
});

const preview = (body: Record<string, unknown>) => call('POST', `/v1/admin/regions/${regionId}/preview`, body);

describe('region preview', () => {
  it('prices a sample cart per option with the checkout rules, without writing anything', async () => {
    const before = await t.db.db
      .selectFrom('cart')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await preview({ subtotal: 10000, weightGrams: 2000, countryCode: 'LU' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      taxRate: number;
      options: { name: string; shipping: number; tax: number; total: number }[];
    }>();
    expect(body.taxRate).toBe(17000);
    // 2 kg: the weight band cannot ship it; 100 € ≥ 50 € makes "Free above" free.
    const byName = Object.fromEntries(body.options.map((o) => [o.name, o]));
    expect(Object.keys(byName).sort()).toEqual(['Flat', 'Free above']);
    expect(byName.Flat).toMatchObject({ shipping: 500, tax: 1785, total: 10000 + 500 + 1785 });
    expect(byName['Free above']).toMatchObject({ shipping: 0, tax: 1700, total: 11700 });
    const after = await t.db.db
      .selectFrom('cart')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('uses no tax where the country has no rate, and refuses a country outside the region', async () => {
    const res = await preview({ subtotal: 1000, weightGrams: 500, countryCode: 'MT' });
    expect(res.json<{ taxRate: number; options: { tax: number }[] }>().options.every((o) => o.tax === 0)).toBe(true);
    const outside = await preview({ subtotal: 1000, weightGrams: 500, countryCode: 'FR' });
    expect(outside.statusCode).toBe(400);
    expect(outside.headers['content-type']).toContain('application/problem+json');
  });

  it('needs settings:manage', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/regions/${regionId}/preview`,
      payload: { subtotal: 1, weightGrams: 0, countryCode: 'LU' },
    });
    expect(res.statusCode).toBe(401);
  });
});
