import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { bearer, signUp } from './customers.helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const base = '/v1/store/customers/me/addresses';
const home = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  countryCode: 'GB',
};

const list = (token: string) => t.app.inject({ method: 'GET', url: base, headers: bearer(token) });
const create = (token: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: base, headers: bearer(token), payload });
const patch = (token: string, id: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PATCH', url: `${base}/${id}`, headers: bearer(token), payload });
const remove = (token: string, id: string) =>
  t.app.inject({ method: 'DELETE', url: `${base}/${id}`, headers: bearer(token) });

async function rowsOf(customerId: string) {
  return t.db.db
    .selectFrom('customer_address')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('id')
    .execute();
}

describe('address book', () => {
  it('creates, lists, updates and deletes an address', async () => {
    const c = await signUp(t);
    expect((await list(c.token)).json()).toEqual({ data: [] });
    const created = await create(c.token, { ...home, company: 'Analytical Engines', phone: '+44 20 1234' });
    expect(created.statusCode).toBe(201);
    const a = created.json();
    expect(a.id).toMatch(/^addr_/);
    expect(created.headers.location).toBe(`${base}/${a.id}`);
    expect(a).toMatchObject({
      ...home,
      company: 'Analytical Engines',
      line2: null,
      region: null,
      phone: '+44 20 1234',
      isDefaultShipping: false,
      isDefaultBilling: false,
    });
    expect((await list(c.token)).json().data).toEqual([a]);

    const updated = await patch(c.token, a.id, { city: 'Cambridge', company: null, region: 'Cambs' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ city: 'Cambridge', company: null, region: 'Cambs', line1: home.line1 });

    expect((await remove(c.token, a.id)).statusCode).toBe(204);
    expect((await list(c.token)).json()).toEqual({ data: [] });
    expect((await remove(c.token, a.id)).statusCode).toBe(404);
  });

  it('setting a default takes it from the previous default, shipping and billing independently', async () => {
    const c = await signUp(t);
    const a = (await create(c.token, { ...home, isDefaultShipping: true, isDefaultBilling: true })).json();
    const b = (await create(c.token, { ...home, line1: '1 Other St', isDefaultShipping: true })).json();
    expect(b.isDefaultShipping).toBe(true);
    let rows = await rowsOf(c.id);
    expect(rows.map((r) => [r.id, r.is_default_shipping, r.is_default_billing])).toEqual([
      [a.id, false, true],
      [b.id, true, false],
    ]);
    const patched = await patch(c.token, a.id, { isDefaultShipping: true });
    expect(patched.json()).toMatchObject({ isDefaultShipping: true, isDefaultBilling: true });
    rows = await rowsOf(c.id);
    expect(rows.filter((r) => r.is_default_shipping).map((r) => r.id)).toEqual([a.id]);
    const unset = await patch(c.token, a.id, { isDefaultBilling: false });
    expect(unset.json()).toMatchObject({ isDefaultBilling: false });
    expect((await rowsOf(c.id)).some((r) => r.is_default_billing)).toBe(false);
  });

  it('the database refuses two defaults of one kind for a customer', async () => {
    const c = await signUp(t);
    const a = (await create(c.token, { ...home, isDefaultShipping: true })).json();
    const b = (await create(c.token, home)).json();
    await expect(
      t.db.db.updateTable('customer_address').set({ is_default_shipping: true }).where('id', '=', b.id).execute(),
    ).rejects.toThrow();
    expect((await rowsOf(c.id)).find((r) => r.id === a.id)?.is_default_shipping).toBe(true);
  });

  it("deleting the customer deletes the customer's addresses", async () => {
    const c = await signUp(t);
    await create(c.token, home);
    await t.db.db.deleteFrom('auth_session').where('subject_id', '=', c.id).execute();
    await t.db.db.deleteFrom('customer').where('id', '=', c.id).execute();
    expect(await rowsOf(c.id)).toHaveLength(0);
  });
});

describe('address book errors and security', () => {
  it('every route needs a customer session (401)', async () => {
    for (const [method, url] of [
      ['GET', base],
      ['POST', base],
      ['PATCH', `${base}/addr_x`],
      ['DELETE', `${base}/addr_x`],
    ] as const) {
      const res = await t.app.inject({
        method,
        url,
        payload: method === 'POST' || method === 'PATCH' ? home : undefined,
      });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it("another customer's address → 404 on PATCH and DELETE, never 403, and it stays unchanged", async () => {
    const owner = await signUp(t);
    const other = await signUp(t);
    const a = (await create(owner.token, { ...home, isDefaultShipping: true })).json();
    const before = await rowsOf(owner.id);
    const p = await patch(other.token, a.id, { city: 'Paris', isDefaultShipping: true });
    expect(p.statusCode).toBe(404);
    expect(p.json()).toMatchObject({ code: 'NOT_FOUND' });
    const d = await remove(other.token, a.id);
    expect(d.statusCode).toBe(404);
    expect(await rowsOf(owner.id)).toEqual(before);
    expect((await list(other.token)).json()).toEqual({ data: [] });
  });

  it('an unknown id → 404, and a failed PATCH does not clear the existing default', async () => {
    const c = await signUp(t);
    const a = (await create(c.token, { ...home, isDefaultBilling: true })).json();
    const res = await patch(c.token, 'addr_01jd4m3k8sf6tb0z5g2n0c1xyz', { isDefaultBilling: true });
    expect(res.statusCode).toBe(404);
    expect((await rowsOf(c.id)).find((r) => r.id === a.id)?.is_default_billing).toBe(true);
  });

  it('a bad country code, an unknown field or a missing field → 400 naming it; nothing stored', async () => {
    const c = await signUp(t);
    for (const countryCode of ['gb', 'GBR', 'G1', '']) {
      const res = await create(c.token, { ...home, countryCode });
      expect(res.statusCode, countryCode).toBe(400);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('/body/countryCode');
    }
    const extra = await create(c.token, { ...home, customerId: 'cus_x' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().errors).toContainEqual({ path: '/body/customerId', message: 'is not a known field' });
    const { city: _city, ...noCity } = home;
    const missing = await create(c.token, noCity);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { path: string }) => e.path)).toContain('/body/city');
    expect(await rowsOf(c.id)).toHaveLength(0);

    const a = (await create(c.token, home)).json();
    const badPatch = await patch(c.token, a.id, { countryCode: 'xx' });
    expect(badPatch.statusCode).toBe(400);
    expect(badPatch.json().errors.map((e: { path: string }) => e.path)).toContain('/body/countryCode');
    const extraPatch = await patch(c.token, a.id, { id: 'addr_other' });
    expect(extraPatch.statusCode).toBe(400);
    expect(extraPatch.json().errors).toContainEqual({ path: '/body/id', message: 'is not a known field' });
    expect((await rowsOf(c.id))[0]?.country_code).toBe('GB');
  });
});
