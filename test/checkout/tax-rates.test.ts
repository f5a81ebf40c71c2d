import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateForProduct, taxRuleFor } from '../../src/modules/checkout/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { auditActions, category, ownerClient } from './checkout.helpers.js';

let t: TestApp;
let call: Awaited<ReturnType<typeof ownerClient>>;
beforeAll(async () => {
  t = await createTestApp();
  call = await ownerClient(t);
});
afterAll(async () => {
  await t?.close();
});

interface TaxRate {
  id: string;
  countryCode: string;
  provinceCode: string | null;
  name: string;
  rate: number;
  overrides: { categoryId: string; rate: number }[];
}

const url = '/v1/admin/tax-rates';
const rowCount = async () =>
  Number(
    (
      await t.db.db
        .selectFrom('tax_rate')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('tax rates', () => {
  it('creates a country rate with category overrides, changes and deletes it, auditing each change', async () => {
    const books = await category(call);
    const kids = await category(call, books);
    const res = await call('POST', url, {
      countryCode: 'DE',
      name: 'MwSt',
      rate: 19_000,
      overrides: [
        { categoryId: books, rate: 7000 },
        { categoryId: kids, rate: 5000 },
      ],
    });
    expect(res.statusCode).toBe(201);
    const rate = res.json<TaxRate>();
    expect(rate).toMatchObject({
      id: expect.stringMatching(/^txr_/),
      countryCode: 'DE',
      provinceCode: null,
      rate: 19_000,
    });
    expect(rate.overrides).toHaveLength(2);
    expect((await call('GET', `${url}/${rate.id}`)).json()).toEqual(rate);
    expect((await call('GET', `${url}?countryCode=DE`)).json<{ data: TaxRate[] }>().data).toEqual([rate]);

    const rule = await taxRuleFor(t.db.db, { countryCode: 'DE' });
    expect(rule && rateForProduct(rule, [[books, kids]])).toBe(5000);
    expect(rule && rateForProduct(rule, [[books]])).toBe(7000);
    expect(rule && rateForProduct(rule, [])).toBe(19_000);

    const changed = await call('PATCH', `${url}/${rate.id}`, {
      name: 'VAT',
      overrides: [{ categoryId: books, rate: 7000 }],
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<TaxRate>()).toMatchObject({ name: 'VAT', overrides: [{ categoryId: books, rate: 7000 }] });
    expect((await call('DELETE', `${url}/${rate.id}`)).statusCode).toBe(204);
    expect((await call('GET', `${url}/${rate.id}`)).statusCode).toBe(404);
    expect(await taxRuleFor(t.db.db, { countryCode: 'DE' })).toBeNull();
    expect(await auditActions(t, rate.id)).toEqual(['tax_rate.created', 'tax_rate.updated', 'tax_rate.deleted']);
  });

  it('keeps 8.875% exact and prefers a province rate over the country rate', async () => {
    const us = (await call('POST', url, { countryCode: 'US', name: 'No federal sales tax', rate: 0 })).json<TaxRate>();
    const ny = await call('POST', url, { countryCode: 'US', provinceCode: 'NY', name: 'NYC sales tax', rate: 8875 });
    expect(ny.statusCode).toBe(201);
    expect((await taxRuleFor(t.db.db, { countryCode: 'US', provinceCode: 'NY' }))?.rate).toBe(8875);
    const again = await call('POST', url, { countryCode: 'US', provinceCode: 'NY', name: 'NY again', rate: 400 });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'TAX_RATE_EXISTS' });
    expect((await taxRuleFor(t.db.db, { countryCode: 'US', provinceCode: 'OR' }))?.rate).toBe(0);
    expect((await taxRuleFor(t.db.db, { countryCode: 'US' }))?.rate).toBe(0);
    const list = (await call('GET', `${url}?countryCode=US`)).json<{ data: TaxRate[] }>().data;
    expect(list.map((r) => r.provinceCode)).toEqual([null, 'NY']);
    expect(list[0]?.id).toBe(us.id);
  });

  it('refuses a second rate for the same country or province (409), changing nothing', async () => {
    expect((await call('POST', url, { countryCode: 'FR', name: 'TVA', rate: 20_000 })).statusCode).toBe(201);
    const before = await rowCount();
    const dup = await call('POST', url, { countryCode: 'FR', name: 'TVA again', rate: 5500 });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'TAX_RATE_EXISTS', errors: [{ path: '/body/countryCode' }] });
    expect(await rowCount()).toBe(before);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const before = await rowCount();
    const cases: [Record<string, unknown>, string][] = [
      [{ countryCode: 'XX', name: 'VAT', rate: 1000 }, '/body/countryCode'],
      [{ countryCode: 'de', name: 'VAT', rate: 1000 }, '/body/countryCode'],
      [{ countryCode: 'IT', name: 'IVA', rate: 100_001 }, '/body/rate'],
      [{ countryCode: 'IT', name: 'IVA', rate: 22.5 }, '/body/rate'],
      [{ countryCode: 'IT', name: 'IVA', rate: -1 }, '/body/rate'],
      [{ countryCode: 'IT', name: '', rate: 22_000 }, '/body/name'],
      [{ countryCode: 'IT', name: 'IVA', rate: 22_000, provinceCode: 'toolong' }, '/body/provinceCode'],
      [
        { countryCode: 'IT', name: 'IVA', rate: 22_000, overrides: [{ categoryId: 'cat_x', rate: 200_000 }] },
        '/body/overrides/0/rate',
      ],
      [
        {
          countryCode: 'IT',
          name: 'IVA',
          rate: 22_000,
          overrides: [
            { categoryId: 'cat_x', rate: 1000 },
            { categoryId: 'cat_x', rate: 2000 },
          ],
        },
        '/body/overrides/1/categoryId',
      ],
    ];
    for (const [body, path] of cases) {
      const res = await call('POST', url, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(
        res.json().errors.map((e: { path: string }) => e.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    expect(await rowCount()).toBe(before);
  });

  it('answers 404 for an unknown category in overrides (nothing written) and for unknown ids', async () => {
    const before = await rowCount();
    const res = await call('POST', url, {
      countryCode: 'ES',
      name: 'IVA',
      rate: 21_000,
      overrides: [{ categoryId: 'cat_missing', rate: 10_000 }],
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ errors: [{ path: '/body/overrides' }] });
    expect(await rowCount()).toBe(before);
    expect((await call('GET', `${url}/txr_nope`)).statusCode).toBe(404);
    expect((await call('PATCH', `${url}/txr_nope`, { rate: 1 })).statusCode).toBe(404);
    expect((await call('DELETE', `${url}/txr_nope`)).statusCode).toBe(404);
  });

  it('drops an override when its category is deleted', async () => {
    const cat = await category(call);
    const rate = (
      await call('POST', url, {
        countryCode: 'NL',
        name: 'BTW',
        rate: 21_000,
        overrides: [{ categoryId: cat, rate: 9000 }],
      })
    ).json<TaxRate>();
    expect((await call('DELETE', `/v1/admin/categories/${cat}`)).statusCode).toBe(204);
    expect((await call('GET', `${url}/${rate.id}`)).json<TaxRate>().overrides).toEqual([]);
  });
});
