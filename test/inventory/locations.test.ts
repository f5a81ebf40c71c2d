import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { makeVariants } from './inventory.helpers.js';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await createTestApp();
  token = (await staffSession(t, 'role_catalog_manager')).token;
});
afterAll(() => t.close());

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: auth(token), ...(payload ? { payload } : {}) });

describe('stock locations', () => {
  it('creates a location with a level for every existing item, lists and updates it', async () => {
    const [v] = await makeVariants(t.db.db, 1);
    const res = await call('POST', '/v1/admin/inventory/locations', {
      code: 'berlin-1',
      name: 'Berlin',
      address: { city: 'Berlin', countryCode: 'DE' },
      priority: 5,
    });
    expect(res.statusCode).toBe(201);
    const loc = res.json();
    expect(loc).toMatchObject({
      code: 'berlin-1',
      name: 'Berlin',
      active: true,
      priority: 5,
      address: { city: 'Berlin' },
    });
    expect(res.headers.location).toBe(`/v1/admin/inventory/locations/${loc.id}`);
    const level = await t.db.db
      .selectFrom('inventory_level')
      .selectAll()
      .where('item_id', '=', v!.itemId)
      .where('location_id', '=', loc.id)
      .executeTakeFirst();
    expect(level).toMatchObject({ on_hand: 0, reserved: 0, held: 0 });

    const list = await call('GET', '/v1/admin/inventory/locations');
    expect(list.json().data.map((l: { id: string }) => l.id)).toContain(loc.id);
    expect((await call('GET', `/v1/admin/inventory/locations/${loc.id}`)).json()).toEqual(loc);

    const upd = await call('PATCH', `/v1/admin/inventory/locations/${loc.id}`, { active: false, name: 'Berlin old' });
    expect(upd.statusCode).toBe(200);
    expect(upd.json()).toMatchObject({ active: false, name: 'Berlin old' });
    const audit = await t.db.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type'])
      .where('target_id', '=', loc.id)
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'stock_location.created', actor_type: 'staff' },
      { action: 'stock_location.updated', actor_type: 'staff' },
    ]);
  });

  it('refuses a taken code (409), a bad code or unknown field (400 naming it), an unknown id (404)', async () => {
    expect((await call('POST', '/v1/admin/inventory/locations', { code: 'dup', name: 'A' })).statusCode).toBe(201);
    const dup = await call('POST', '/v1/admin/inventory/locations', { code: 'dup', name: 'B' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'LOCATION_CODE_TAKEN', errors: [{ path: '/body/code' }] });
    const bad = await call('POST', '/v1/admin/inventory/locations', { code: 'Not Valid', name: 'X' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('code');
    const extra = await call('POST', '/v1/admin/inventory/locations', { code: 'ok', name: 'X', colour: 'red' });
    expect(extra.statusCode).toBe(400);
    expect(JSON.stringify(extra.json().errors)).toContain('colour');
    const other = (await call('POST', '/v1/admin/inventory/locations', { code: 'dup-2', name: 'C' })).json();
    const rename = await call('PATCH', `/v1/admin/inventory/locations/${other.id}`, { code: 'dup' });
    expect(rename.statusCode).toBe(409);
    expect(rename.json().code).toBe('LOCATION_CODE_TAKEN');
    expect((await call('GET', '/v1/admin/inventory/locations/sloc_nope')).statusCode).toBe(404);
    expect((await call('PATCH', '/v1/admin/inventory/locations/sloc_nope', { name: 'x' })).statusCode).toBe(404);
    expect((await call('PATCH', '/v1/admin/inventory/locations/sloc_nope', {})).statusCode).toBe(400);
  });
});
