import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { makeLocation, makeVariants } from './inventory.helpers.js';

let t: TestApp;
let reader: string;
let nobody: string;
let itemId: string;
let locationId: string;
beforeAll(async () => {
  t = await createTestApp();
  reader = (await staffSession(t, await customRole(t, ['inventory:read']))).token;
  nobody = (await staffSession(t, await customRole(t, ['catalog:read']))).token;
  const [v] = await makeVariants(t.db.db, 1);
  itemId = v!.itemId;
  locationId = (await makeLocation(t.db.db)).id;
});
afterAll(() => t.close());

const reads = () => [
  ['GET', '/v1/admin/inventory/locations'],
  ['GET', `/v1/admin/inventory/locations/${locationId}`],
  ['GET', '/v1/admin/inventory/items'],
  ['GET', `/v1/admin/inventory/items/${itemId}`],
  ['GET', `/v1/admin/inventory/items/${itemId}/movements`],
];
const writes = (): [string, string, object][] => [
  ['POST', '/v1/admin/inventory/locations', { code: 'sec', name: 'Sec' }],
  ['PATCH', `/v1/admin/inventory/locations/${locationId}`, { name: 'x' }],
  ['PATCH', `/v1/admin/inventory/items/${itemId}`, { lowStockThreshold: 3 }],
  ['POST', `/v1/admin/inventory/items/${itemId}/adjustments`, { locationId, delta: 5, reason: 'received' }],
  [
    'POST',
    '/v1/admin/inventory/transfers',
    { itemId, fromLocationId: locationId, toLocationId: locationId, quantity: 1 },
  ],
  ['PUT', '/v1/admin/inventory/variants/var_x/components', { components: [{ itemId, quantity: 1 }] }],
];

describe('inventory routes: who may call them', () => {
  it('answers 401 without credentials and 403 without inventory permissions', async () => {
    for (const [method, url] of [...reads(), ...writes(), ['GET', '/v1/admin/inventory/stream']]) {
      const req = { method: method as 'GET', url: url as string };
      expect((await t.app.inject(req)).statusCode, `${method} ${url}`).toBe(401);
      const denied = await t.app.inject({ ...req, headers: { ...auth(nobody), accept: 'text/event-stream' } });
      expect(denied.statusCode, `${method} ${url}`).toBe(403);
      expect(denied.json()).toMatchObject({ code: 'PERMISSION_DENIED' });
    }
  });

  it('lets inventory:read read but not change stock, and changes nothing when refused', async () => {
    for (const [method, url] of reads()) {
      expect(
        (await t.app.inject({ method: method as 'GET', url: url as string, headers: auth(reader) })).statusCode,
      ).toBe(200);
    }
    for (const [method, url, payload] of writes()) {
      const res = await t.app.inject({ method: method as 'POST', url, payload, headers: auth(reader) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    const movements = await t.db.db.selectFrom('stock_movement').select('id').where('item_id', '=', itemId).execute();
    expect(movements).toEqual([]);
  });
});
