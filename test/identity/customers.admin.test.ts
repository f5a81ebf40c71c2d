import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeOrder } from '../orders/placed-order.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { bearer, goodPassword, login, me, register, signUp } from './customers.helpers.js';
import { auth, staffSession } from './staff.helpers.js';

let t: TestApp;
let owner: { id: string; token: string };
let support: { token: string };
let readOnly: { token: string };
/** A word in every email of this file, so lists can be narrowed to this run's customers. */
const run = `cadm${Date.now().toString(36)}`;

beforeAll(async () => {
  t = await createTestApp();
  owner = await staffSession(t);
  support = await staffSession(t, 'role_support');
  readOnly = await staffSession(t, 'role_read_only');
});
afterAll(async () => {
  await t?.close();
});

interface Summary {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  tags: string[];
  status: string;
  erased: boolean;
  lastLoginAt: string | null;
  orders: { orderCount: number; totalSpent: { amount: number; currency: string }[]; lastOrderAt: string | null };
}
interface Detail extends Summary {
  version: number;
  addresses: unknown[];
  notes: { id: string; body: string; author: { type: string; id: string | null; name: string | null } }[];
  recentOrders: { id: string; number: number; total: { amount: number } }[];
}

const get = (url: string, token = owner.token) => t.app.inject({ method: 'GET', url, headers: auth(token) });
const send = (
  method: 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
  headers: Record<string, string> = {},
  token = owner.token,
) =>
  payload === undefined
    ? t.app.inject({ method, url, headers: { ...auth(token), ...headers } })
    : t.app.inject({ method, url, headers: { ...auth(token), ...headers }, payload });
const list = async (query: string) => {
  const res = await get(`/v1/admin/customers?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ data: Summary[]; nextCursor: string | null }>();
};

async function customer(label: string, extra: Record<string, unknown> = {}) {
  const email = `${label}.${run}@Example.com`;
  const res = await register(t, { email, password: goodPassword, ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json<{ id: string }>().id, email };
}

describe('GET /v1/admin/customers', () => {
  let ada: { id: string; email: string };
  let bob: { id: string; email: string };
  let cy: { id: string; email: string };
  beforeAll(async () => {
    ada = await customer('ada', { firstName: 'Ada', lastName: 'Lovelace' });
    bob = await customer('bob', { firstName: 'Bob', lastName: 'Zeta' });
    cy = await customer('cy');
    const d = (await get(`/v1/admin/customers/${bob.id}`)).json<Detail>();
    const tagged = await send(
      'PATCH',
      `/v1/admin/customers/${bob.id}`,
      { phone: '+49 30 5550123', tags: ['vip', 'wholesale'] },
      { 'if-match': String(d.version) },
    );
    expect(tagged.statusCode, tagged.body).toBe(200);
  });

  it('finds customers by part of the email, the name or the phone, ignoring case', async () => {
    expect((await list(`q=${run}`)).data.map((c) => c.id).sort()).toEqual([ada.id, bob.id, cy.id].sort());
    expect((await list(`q=LOVELACE`)).data.map((c) => c.id)).toContain(ada.id);
    expect((await list(`q=${encodeURIComponent('ada lovel')}`)).data.map((c) => c.id)).toEqual([ada.id]);
    expect((await list(`q=5550123`)).data.map((c) => c.id)).toEqual([bob.id]);
    expect((await list(`q=${encodeURIComponent(`BOB.${run.toUpperCase()}@`)}`)).data.map((c) => c.id)).toEqual([
      bob.id,
    ]);
    // `%` and `_` are text, not wildcards.
    expect((await list(`q=${encodeURIComponent(`%${run}`)}`)).data).toEqual([]);
  });

  it('filters by tag, status and creation date', async () => {
    expect((await list(`q=${run}&tag=vip`)).data.map((c) => c.id)).toEqual([bob.id]);
    expect((await list(`q=${run}&tag=nope`)).data).toEqual([]);
    expect((await list(`q=${run}&status=disabled`)).data).toEqual([]);
    expect((await list(`q=${run}&status=enabled`)).data).toHaveLength(3);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await list(`q=${run}&createdFrom=${future}`)).data).toEqual([]);
    expect((await list(`q=${run}&createdTo=${future}`)).data).toHaveLength(3);
  });

  it('sorts newest, oldest, by email and by name (nameless last) and pages with the cursor without gaps', async () => {
    expect((await list(`q=${run}`)).data.map((c) => c.id)).toEqual([cy.id, bob.id, ada.id]);
    expect((await list(`q=${run}&sort=oldest`)).data.map((c) => c.id)).toEqual([ada.id, bob.id, cy.id]);
    expect((await list(`q=${run}&sort=email`)).data.map((c) => c.id)).toEqual([ada.id, bob.id, cy.id]);
    expect((await list(`q=${run}&sort=name`)).data.map((c) => c.id)).toEqual([ada.id, bob.id, cy.id]);
    for (const sort of ['newest', 'oldest', 'email', 'name']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: Summary[]; nextCursor: string | null } = await list(
          `q=${run}&sort=${sort}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        seen.push(...page.data.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen, sort).toHaveLength(3);
      expect(new Set(seen).size, sort).toBe(3);
    }
  });

  it('answers 400 naming the field for a bad sort, status, date, limit or cursor', async () => {
    for (const [query, path] of [
      ['sort=size', '/query/sort'],
      ['status=gone', '/query/status'],
      ['createdFrom=yesterday', '/query/createdFrom'],
      ['limit=0', '/query/limit'],
      ['cursor=abc', '/query/cursor'],
    ] as const) {
      const res = await get(`/v1/admin/customers?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(JSON.stringify(res.json().errors), query).toContain(path);
    }
    // A cursor of another sort order is refused, not misread.
    const page = await list(`q=${run}&sort=email&limit=1`);
    const res = await get(`/v1/admin/customers?sort=name&cursor=${encodeURIComponent(page.nextCursor ?? '')}`);
    expect(res.statusCode).toBe(400);
  });
});

describe('GET /v1/admin/customers/{id}', () => {
  it('shows profile, addresses, order count, total spent and recent orders from orders', async () => {
    const order = await placeOrder(t, { customer: true });
    const row = await t.db.db
      .selectFrom('order')
      .select(['customer_id', 'total', 'currency'])
      .where('id', '=', order.orderId)
      .executeTakeFirstOrThrow();
    const id = row.customer_id ?? '';
    const res = await get(`/v1/admin/customers/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers.etag).toBeDefined();
    const d = res.json<Detail>();
    expect(d.email).toBe(order.email);
    expect(d.orders.orderCount).toBe(1);
    expect(d.orders.totalSpent).toEqual([{ amount: row.total, currency: row.currency }]);
    expect(d.recentOrders.map((o) => o.id)).toEqual([order.orderId]);
    expect(d.lastLoginAt).not.toBeNull();
    const listed = await list(`q=${encodeURIComponent(order.email)}`);
    expect(listed.data[0]?.orders.orderCount).toBe(1);
  });

  it('answers 404 for an unknown id', async () => {
    expect((await get('/v1/admin/customers/cus_nope')).statusCode).toBe(404);
  });
});

describe('PATCH, notes', () => {
  it('changes names, phone and tags with If-Match; a stale version is 412; bad fields are 400', async () => {
    const c = await customer('pat');
    const v = (await get(`/v1/admin/customers/${c.id}`)).json<Detail>().version;
    const url = `/v1/admin/customers/${c.id}`;
    expect((await send('PATCH', url, { firstName: 'Pat' })).statusCode).toBe(428);
    const ok = await send(
      'PATCH',
      url,
      { firstName: 'Pat', tags: ['b2b', 'b2b', 'late payer'] },
      { 'if-match': `"${v}"` },
    );
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<Detail>()).toMatchObject({ firstName: 'Pat', tags: ['b2b', 'late payer'], version: v + 1 });
    const stale = await send('PATCH', url, { lastName: 'X' }, { 'if-match': String(v) });
    expect(stale.statusCode).toBe(412);
    for (const [body, path] of [
      [{ tags: ['a,b'] }, '/body/tags/0'],
      [{ phone: 'call me' }, '/body/phone'],
      [{ email: 'x@y.z' }, '/body'],
      [{}, '/body'],
    ] as const) {
      const res = await send('PATCH', url, body, { 'if-match': String(v + 1) });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.json().errors)).toContain(path);
    }
    const audit = await t.db.db
      .selectFrom('audit_log')
      .select(['action', 'changes'])
      .where('target_id', '=', c.id)
      .where('action', '=', 'customer.updated')
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]?.changes)).not.toContain('Pat');
  });

  it('adds and removes notes with their author; another customer’s note id is 404', async () => {
    const c = await customer('note');
    const other = await customer('note2');
    const added = await send('POST', `/v1/admin/customers/${c.id}/notes`, { body: '  Prefers DHL  ' });
    expect(added.statusCode, added.body).toBe(201);
    const note = added.json<Detail['notes'][number]>();
    expect(note).toMatchObject({ body: 'Prefers DHL', author: { type: 'staff', id: owner.id } });
    expect((await get(`/v1/admin/customers/${c.id}`)).json<Detail>().notes.map((n) => n.id)).toEqual([note.id]);
    expect((await send('DELETE', `/v1/admin/customers/${other.id}/notes/${note.id}`)).statusCode).toBe(404);
    expect((await send('POST', `/v1/admin/customers/${c.id}/notes`, { body: '   ' })).statusCode).toBe(400);
    expect((await send('POST', `/v1/admin/customers/cus_nope/notes`, { body: 'x' })).statusCode).toBe(404);
    expect((await send('DELETE', `/v1/admin/customers/${c.id}/notes/${note.id}`)).statusCode).toBe(204);
    expect((await get(`/v1/admin/customers/${c.id}`)).json<Detail>().notes).toEqual([]);
  });
});

describe('disable / enable', () => {
  it('ends every session at once and refuses login until enabled again', async () => {
    const c = await signUp(t, `dis.${run}@example.com`);
    const second = (await login(t, c.email, c.password)).json<{ token: string }>().token;
    expect((await me(t, c.token)).statusCode).toBe(200);
    const res = await send('POST', `/v1/admin/customers/${c.id}/disable`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<Detail>().status).toBe('disabled');
    expect((await me(t, c.token)).statusCode).toBe(401);
    expect((await me(t, second)).statusCode).toBe(401);
    const refused = await login(t, c.email, c.password);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('CUSTOMER_DISABLED');
    // The wrong password still answers like any failed login (a disabled account is not revealed to guessers).
    expect((await login(t, c.email, 'wrong password here')).statusCode).toBe(401);
    expect((await list(`q=dis.${run}&status=disabled`)).data.map((x) => x.id)).toEqual([c.id]);
    expect((await send('POST', `/v1/admin/customers/${c.id}/disable`)).statusCode).toBe(200);
    const enabled = await send('POST', `/v1/admin/customers/${c.id}/enable`);
    expect(enabled.json<Detail>().status).toBe('enabled');
    const back = await login(t, c.email, c.password);
    expect(back.statusCode).toBe(201);
    expect((await me(t, back.json<{ token: string }>().token)).statusCode).toBe(200);
    const actions = await t.db.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', c.id)
      .orderBy('id')
      .execute();
    expect(actions.map((a) => a.action)).toEqual(['customer.registered', 'customer.disabled', 'customer.enabled']);
  });
});

describe('permissions', () => {
  it('lets read-only staff read but not change; support may change; a customer token is refused', async () => {
    const c = await signUp(t, `perm.${run}@example.com`);
    expect((await get('/v1/admin/customers', readOnly.token)).statusCode).toBe(200);
    expect((await get(`/v1/admin/customers/${c.id}`, readOnly.token)).statusCode).toBe(200);
    const refused = await send('POST', `/v1/admin/customers/${c.id}/disable`, undefined, {}, readOnly.token);
    expect(refused.statusCode).toBe(403);
    expect((await get(`/v1/admin/customers/${c.id}`)).json<Detail>().status).toBe('enabled');
    expect(
      (await send('POST', `/v1/admin/customers/${c.id}/notes`, { body: 'hi' }, {}, support.token)).statusCode,
    ).toBe(201);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/admin/customers', headers: bearer(c.token) })).statusCode,
    ).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/customers' })).statusCode).toBe(401);
  });
});
