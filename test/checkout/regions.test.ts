import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regionForCountry } from '../../src/modules/checkout/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { auditActions, ownerClient, unique } from './checkout.helpers.js';

let t: TestApp;
let call: Awaited<ReturnType<typeof ownerClient>>;
beforeAll(async () => {
  t = await createTestApp();
  call = await ownerClient(t);
});
afterAll(async () => {
  await t?.close();
});

interface Region {
  id: string;
  name: string;
  currency: string;
  taxInclusive: boolean;
  countries: string[];
}

const url = '/v1/admin/regions';
const countryRows = async () =>
  (await t.db.db.selectFrom('region_country').selectAll().orderBy('country_code').execute()).map(
    (r) => `${r.country_code}:${r.region_id}`,
  );

describe('regions', () => {
  it('creates, reads, changes and deletes a region, auditing each change', async () => {
    const res = await call('POST', url, {
      name: unique('EU'),
      currency: 'EUR',
      countries: ['FR', 'DE'],
      taxInclusive: true,
    });
    expect(res.statusCode).toBe(201);
    const region = res.json<Region>();
    expect(region).toMatchObject({
      id: expect.stringMatching(/^reg_/),
      currency: 'EUR',
      taxInclusive: true,
      countries: ['DE', 'FR'],
    });
    expect(res.headers.location).toBe(`${url}/${region.id}`);
    expect((await call('GET', `${url}/${region.id}`)).json()).toEqual(region);
    expect((await call('GET', url)).json<{ data: Region[] }>().data.map((r) => r.id)).toContain(region.id);
    expect(await regionForCountry(t.db.db, 'FR')).toMatchObject({ id: region.id });

    const changed = await call('PATCH', `${url}/${region.id}`, { countries: ['AT', 'DE'], taxInclusive: false });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<Region>()).toMatchObject({ countries: ['AT', 'DE'], taxInclusive: false });
    expect(await regionForCountry(t.db.db, 'FR')).toBeNull();

    expect((await call('DELETE', `${url}/${region.id}`)).statusCode).toBe(204);
    expect((await call('GET', `${url}/${region.id}`)).statusCode).toBe(404);
    expect(await regionForCountry(t.db.db, 'AT')).toBeNull();
    expect(await auditActions(t, region.id)).toEqual(['region.created', 'region.updated', 'region.deleted']);
    const updated = await t.db.db
      .selectFrom('audit_log')
      .select('changes')
      .where('target_id', '=', region.id)
      .where('action', '=', 'region.updated')
      .executeTakeFirstOrThrow();
    expect(updated.changes).toEqual({
      countries: { from: ['DE', 'FR'], to: ['AT', 'DE'] },
      taxInclusive: { from: true, to: false },
    });
  });

  it('refuses a country that belongs to another region (409 naming /body/countries), on create and on update', async () => {
    const uk = (await call('POST', url, { name: unique('UK'), currency: 'GBP', countries: ['GB'] })).json<Region>();
    const before = await countryRows();
    const clash = await call('POST', url, { name: unique('Europe'), currency: 'EUR', countries: ['IE', 'GB'] });
    expect(clash.statusCode).toBe(409);
    expect(clash.json()).toMatchObject({ code: 'COUNTRY_IN_OTHER_REGION', errors: [{ path: '/body/countries' }] });
    const other = (
      await call('POST', url, { name: unique('Ireland'), currency: 'EUR', countries: ['IE'] })
    ).json<Region>();
    const moved = await call('PATCH', `${url}/${other.id}`, { countries: ['IE', 'GB'] });
    expect(moved.statusCode).toBe(409);
    expect(moved.json()).toMatchObject({ code: 'COUNTRY_IN_OTHER_REGION' });
    // Nothing changed: no half-written region, the other region kept its list.
    expect(await countryRows()).toEqual([...before, `IE:${other.id}`].sort());
    expect((await call('GET', `${url}/${uk.id}`)).json<Region>().countries).toEqual(['GB']);
    expect(await auditActions(t, other.id)).toEqual(['region.created']);
  });

  it('refuses an unknown currency or country with 400 naming the field, changing nothing', async () => {
    const count = (await call('GET', url)).json<{ data: Region[] }>().data.length;
    const badCurrency = await call('POST', url, { name: unique('X'), currency: 'XYZ' });
    expect(badCurrency.statusCode).toBe(400);
    expect(badCurrency.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: '/body/currency' }] });
    const lower = await call('POST', url, { name: unique('X'), currency: 'eur' });
    expect(lower.statusCode).toBe(400);
    expect(lower.json().errors[0].path).toBe('/body/currency');
    const badCountry = await call('POST', url, { name: unique('X'), currency: 'EUR', countries: ['DE', 'XX', 'EU'] });
    expect(badCountry.statusCode).toBe(400);
    expect(badCountry.json().errors.map((e: { path: string }) => e.path)).toEqual([
      '/body/countries/1',
      '/body/countries/2',
    ]);
    const dup = await call('POST', url, { name: unique('X'), currency: 'EUR', countries: ['DE', 'DE'] });
    expect(dup.statusCode).toBe(400);
    const extra = await call('POST', url, { name: unique('X'), currency: 'EUR', vat: true });
    expect(extra.statusCode).toBe(400);
    const blank = await call('POST', url, { name: '  ', currency: 'EUR' });
    expect(blank.json().errors[0].path).toBe('/body/name');
    expect((await call('GET', url)).json<{ data: Region[] }>().data.length).toBe(count);
  });

  it('refuses a duplicate name (409), and answers 404 for unknown ids', async () => {
    const name = unique('Nordics');
    expect((await call('POST', url, { name, currency: 'SEK' })).statusCode).toBe(201);
    const dup = await call('POST', url, { name, currency: 'NOK' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'REGION_NAME_TAKEN', errors: [{ path: '/body/name' }] });
    expect((await call('GET', `${url}/reg_nope`)).statusCode).toBe(404);
    expect((await call('PATCH', `${url}/reg_nope`, { name: 'x' })).statusCode).toBe(404);
    expect((await call('DELETE', `${url}/reg_nope`)).statusCode).toBe(404);
  });

  it('accepts zero- and three-decimal currencies', async () => {
    for (const currency of ['JPY', 'KWD']) {
      expect((await call('POST', url, { name: unique(currency), currency })).json()).toMatchObject({ currency });
    }
  });
});
