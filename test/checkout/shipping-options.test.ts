import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableShippingOptions } from '../../src/modules/checkout/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { auditActions, ownerClient, stockLocation, unique } from './checkout.helpers.js';

let t: TestApp;
let call: Awaited<ReturnType<typeof ownerClient>>;
let regionId: string;
let locationId: string;
beforeAll(async () => {
  t = await createTestApp();
  call = await ownerClient(t);
  locationId = await stockLocation(call);
  regionId = (
    await call('POST', '/v1/admin/regions', {
      name: unique('DE'),
      currency: 'EUR',
      countries: ['DE'],
      taxInclusive: true,
    })
  ).json<{ id: string }>().id;
});
afterAll(async () => {
  await t?.close();
});

interface Option {
  id: string;
  regionId: string;
  stockLocationId: string;
  name: string;
  active: boolean;
  price: Record<string, unknown>;
}

const regionUrl = () => `/v1/admin/regions/${regionId}/shipping-options`;
const url = '/v1/admin/shipping-options';
const optionCount = async () =>
  Number(
    (
      await t.db.db
        .selectFrom('shipping_option')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const create = (body: Record<string, unknown>) =>
  call('POST', regionUrl(), { name: unique('Ship'), stockLocationId: locationId, ...body });

describe('shipping options', () => {
  it('creates each kind, lists, changes and deletes them, auditing each change', async () => {
    const flat = await create({ name: 'DHL', price: { kind: 'flat', amount: 490 } });
    expect(flat.statusCode).toBe(201);
    const option = flat.json<Option>();
    expect(option).toMatchObject({
      id: expect.stringMatching(/^so_/),
      regionId,
      stockLocationId: locationId,
      active: true,
    });
    expect(flat.headers.location).toBe(`${url}/${option.id}`);
    const free = (
      await create({ name: 'Free over 50', price: { kind: 'free_above', amount: 590, threshold: 5000 } })
    ).json<Option>();
    const bands = [
      { maxGrams: 1000, amount: 399 },
      { maxGrams: 5000, amount: 699 },
    ];
    const parcel = await create({ name: 'Parcel', price: { kind: 'weight_bands', bands } });
    expect(parcel.json<Option>().price).toEqual({ kind: 'weight_bands', bands });
    expect((await call('GET', `${url}/${option.id}`)).json()).toEqual(option);
    const listed = (await call('GET', regionUrl())).json<{ data: Option[] }>().data;
    expect(listed.map((o) => o.name)).toEqual(['DHL', 'Free over 50', 'Parcel']);

    const changed = await call('PATCH', `${url}/${option.id}`, { active: false, price: { kind: 'flat', amount: 590 } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<Option>()).toMatchObject({ active: false, price: { kind: 'flat', amount: 590 } });

    const available = await availableShippingOptions(t.db.db, regionId, { subtotal: 5000, weightGrams: 6000 });
    expect(available.map((o) => [o.id, o.amount])).toEqual([[free.id, 0]]);

    expect((await call('DELETE', `${url}/${option.id}`)).statusCode).toBe(204);
    expect((await call('GET', `${url}/${option.id}`)).statusCode).toBe(404);
    expect(await auditActions(t, option.id)).toEqual([
      'shipping_option.created',
      'shipping_option.updated',
      'shipping_option.deleted',
    ]);
  });

  it('refuses price fields that do not fit the kind, and unordered bands, with 400 naming the field', async () => {
    const before = await optionCount();
    const cases: [Record<string, unknown>, string][] = [
      [{ price: { kind: 'flat' } }, '/body/price/amount'],
      [{ price: { kind: 'flat', amount: 100, threshold: 10 } }, '/body/price/threshold'],
      [{ price: { kind: 'free_above', amount: 100 } }, '/body/price/threshold'],
      [{ price: { kind: 'weight_bands', amount: 100 } }, '/body/price/bands'],
      [{ price: { kind: 'weight_bands', bands: [] } }, '/body/price/bands'],
      [
        {
          price: {
            kind: 'weight_bands',
            bands: [
              { maxGrams: 500, amount: 1 },
              { maxGrams: 500, amount: 2 },
            ],
          },
        },
        '/body/price/bands/1/maxGrams',
      ],
      [{ price: { kind: 'pigeon', amount: 1 } }, '/body/price/kind'],
      [{ price: { kind: 'flat', amount: -1 } }, '/body/price/amount'],
      [{ price: { kind: 'flat', amount: 1.5 } }, '/body/price/amount'],
      [{ name: '', price: { kind: 'flat', amount: 1 } }, '/body/name'],
    ];
    for (const [body, path] of cases) {
      const res = await create(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(
        res.json().errors.map((e: { path: string }) => e.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    const noPrice = await call('POST', regionUrl(), { name: 'x', stockLocationId: locationId });
    expect(noPrice.statusCode).toBe(400);
    expect(await optionCount()).toBe(before);
  });

  it('answers 404 for an unknown region, stock location or option, writing nothing', async () => {
    const before = await optionCount();
    const price = { kind: 'flat', amount: 100 };
    const noRegion = await call('POST', `/v1/admin/regions/reg_nope/shipping-options`, {
      name: 'x',
      stockLocationId: locationId,
      price,
    });
    expect(noRegion.statusCode).toBe(404);
    expect((await call('GET', `/v1/admin/regions/reg_nope/shipping-options`)).statusCode).toBe(404);
    const noLocation = await create({ stockLocationId: 'sloc_nope', price });
    expect(noLocation.statusCode).toBe(404);
    expect(noLocation.json()).toMatchObject({ errors: [{ path: '/body/stockLocationId' }] });
    expect((await call('PATCH', `${url}/so_nope`, { active: true })).statusCode).toBe(404);
    expect((await call('DELETE', `${url}/so_nope`)).statusCode).toBe(404);
    expect(await optionCount()).toBe(before);
  });

  it("refuses to change the region's currency under priced options (409), keeping it", async () => {
    const res = await call('PATCH', `/v1/admin/regions/${regionId}`, { currency: 'USD' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'REGION_CURRENCY_IN_USE', errors: [{ path: '/body/currency' }] });
    expect((await call('GET', `/v1/admin/regions/${regionId}`)).json()).toMatchObject({ currency: 'EUR' });
    expect(
      (await call('PATCH', `/v1/admin/regions/${regionId}`, { currency: 'EUR', taxInclusive: true })).statusCode,
    ).toBe(200);
  });

  it('goes away with its region', async () => {
    const region = (await call('POST', '/v1/admin/regions', { name: unique('Temp'), currency: 'EUR' })).json<{
      id: string;
    }>();
    const option = (
      await call('POST', `/v1/admin/regions/${region.id}/shipping-options`, {
        name: 'x',
        stockLocationId: locationId,
        price: { kind: 'flat', amount: 1 },
      })
    ).json<Option>();
    expect((await call('DELETE', `/v1/admin/regions/${region.id}`)).statusCode).toBe(204);
    expect((await call('GET', `${url}/${option.id}`)).statusCode).toBe(404);
  });
});
