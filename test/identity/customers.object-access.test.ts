import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeOrderDirectly } from '../orders/orders.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { collectRoutes, type WalkedRoute } from '../support/routes.js';
import { bearer, signUp } from './customers.helpers.js';
import { staffSession } from './staff.helpers.js';

/**
 * Walks every route declared `auth: 'customer'`: anonymous → 401, a staff session → 403, and for
 * each route that names a resource by id, another customer's id → 404 with the resource untouched.
 * A new customer route with an id parameter fails this test until it gets an ownership probe below.
 */

let t: TestApp;
let routes: WalkedRoute[] = [];
beforeAll(async () => {
  const collected = await collectRoutes(() => createTestApp());
  t = collected.result;
  routes = collected.routes;
});
afterAll(async () => {
  await t?.close();
});

type Customer = Awaited<ReturnType<typeof signUp>>;

interface OwnershipProbe {
  /** Creates a resource owned by `owner`; returns its id. */
  create(owner: Customer): Promise<string>;
  /** The resource as the owner sees it, to prove a refused call changed nothing. */
  read(owner: Customer, id: string): Promise<unknown>;
  /** A body the route would accept from the owner. */
  payload?: Record<string, unknown>;
}

const address = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  countryCode: 'GB',
};

const probes: Record<string, OwnershipProbe> = {
  '/v1/store/carts/:id/claim': {
    async create(owner) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/store/carts',
        headers: bearer(owner.token),
        payload: { currency: 'EUR' },
      });
      return res.json<{ id: string }>().id;
    },
    async read(_owner, id) {
      return t.db.db.selectFrom('cart').selectAll().where('id', '=', id).executeTakeFirst();
    },
  },
  '/v1/store/customers/me/orders/:id': {
    async create(owner) {
      return (await placeOrderDirectly(t, { customerId: owner.id, email: owner.email })).id;
    },
    async read(_owner, id) {
      return t.db.db.selectFrom('order').selectAll().where('id', '=', id).executeTakeFirst();
    },
  },
  // GET (list) and POST (ask for a return) share this path.
  '/v1/store/customers/me/orders/:id/returns': {
    async create(owner) {
      return (await placeOrderDirectly(t, { customerId: owner.id, email: owner.email })).id;
    },
    async read(_owner, id) {
      return t.db.db.selectFrom('return_request').selectAll().where('order_id', '=', id).execute();
    },
    payload: { lines: [{ orderLineId: 'ordl_probe', quantity: 1, reason: 'damaged' }] },
  },
  '/v1/store/customers/me/addresses/:id': {
    async create(owner) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/store/customers/me/addresses',
        headers: bearer(owner.token),
        payload: address,
      });
      return res.json<{ id: string }>().id;
    },
    async read(owner, id) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/store/customers/me/addresses',
        headers: bearer(owner.token),
      });
      return res.json<{ data: { id: string }[] }>().data.find((a) => a.id === id);
    },
    payload: { city: 'Cambridge' },
  },
};

const customerRoutes = () => routes.filter((r) => r.url.startsWith('/v1/') && r.auth === 'customer');
const withIds = () => customerRoutes().filter((r) => r.url.includes('/:'));
const filled = (url: string, id: string) => url.replace(/:(\w+)/g, id);

describe('customer routes (walked)', () => {
  it('finds the customer routes, and every one that takes an id has an ownership probe', () => {
    expect(customerRoutes().length).toBeGreaterThanOrEqual(8);
    expect(
      withIds()
        .filter((r) => !probes[r.url])
        .map((r) => `${r.method} ${r.url}`),
    ).toEqual([]);
  });

  it('every customer route answers 401 without a session and 403 to a staff session', async () => {
    const staff = await staffSession(t, 'role_support');
    for (const r of customerRoutes()) {
      const req = { method: r.method as 'GET', url: filled(r.url, 'probe_id') };
      const label = `${r.method} ${r.url}`;
      expect((await t.app.inject(req)).statusCode, label).toBe(401);
      expect((await t.app.inject({ ...req, headers: bearer(staff.token) })).statusCode, label).toBe(403);
    }
  });

  it("another customer's resource id answers 404 on every route that takes one, and nothing changes", async () => {
    const owner = await signUp(t);
    const intruder = await signUp(t);
    for (const r of withIds()) {
      const probe = probes[r.url];
      if (!probe) throw new Error(`no probe for ${r.url}`);
      const id = await probe.create(owner);
      const before = await probe.read(owner, id);
      expect(before, `${r.url}: probe created nothing`).toBeDefined();
      const res = await t.app.inject({
        method: r.method as 'GET',
        url: filled(r.url, id),
        headers: bearer(intruder.token),
        ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: probe.payload ?? {} }),
      });
      const label = `${r.method} ${r.url}`;
      expect(res.statusCode, label).toBe(404);
      expect(res.json(), label).toMatchObject({ code: 'NOT_FOUND' });
      expect(await probe.read(owner, id), label).toEqual(before);
    }
  });
});
