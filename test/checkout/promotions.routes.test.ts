import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redeemPromotions } from '../../src/modules/checkout/index.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { newId } from '../../src/platform/ids.js';
import { customRole, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { auditActions, client, ownerClient } from './checkout.helpers.js';

/** /v1/admin/promotions: happy paths, every documented 4xx, and access (401/403). */

let t: TestApp;
let call: ReturnType<typeof client>;
beforeAll(async () => {
  t = await createTestApp();
  call = await ownerClient(t);
});
afterAll(async () => {
  await t?.close();
});

interface Promotion {
  id: string;
  code: string | null;
  active: boolean;
  used: number;
  [k: string]: unknown;
}
const url = '/v1/admin/promotions';
const code = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}`;
const create = async (body: Record<string, unknown>) => {
  const res = await call('POST', url, { name: 'Promo', kind: 'percentage', value: 1000, ...body });
  if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body}`);
  return res.json<Promotion>();
};
const count = async () =>
  Number(
    (
      await t.db.db
        .selectFrom('promotion')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('admin promotions', () => {
  it('creates, lists, reads, changes, deactivates and deletes a promotion, auditing each change', async () => {
    const c = code('Summer');
    const category = newId('category');
    const res = await call('POST', url, {
      name: 'Summer sale',
      code: c,
      kind: 'fixed',
      value: 1500,
      currency: 'EUR',
      target: 'categories',
      targetIds: [category],
      minSubtotal: 5000,
      startsAt: '2026-06-01T00:00:00Z',
      endsAt: '2026-09-01T00:00:00Z',
      usageLimit: 100,
      perCustomerLimit: 1,
      combinable: true,
    });
    expect(res.statusCode).toBe(201);
    const p = res.json<Promotion>();
    expect(p).toMatchObject({
      id: expect.stringMatching(/^promo_/),
      code: c,
      currency: 'EUR',
      targetIds: [category],
      startsAt: '2026-06-01T00:00:00.000Z',
      used: 0,
      active: true,
    });
    expect(res.headers.location).toBe(`${url}/${p.id}`);
    expect((await call('GET', `${url}/${p.id}`)).json()).toEqual(p);
    const byCode = (await call('GET', `${url}?code=${c.toLowerCase()}`)).json<{ data: Promotion[] }>();
    expect(byCode.data.map((x) => x.id)).toEqual([p.id]);

    const changed = await call('PATCH', `${url}/${p.id}`, { active: false, minSubtotal: null, currency: 'USD' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<Promotion>()).toMatchObject({ active: false, minSubtotal: null, currency: 'USD' });
    const inactive = (await call('GET', `${url}?active=false&limit=100`)).json<{ data: Promotion[] }>();
    expect(inactive.data.map((x) => x.id)).toContain(p.id);
    const active = (await call('GET', `${url}?active=true&limit=100`)).json<{ data: Promotion[] }>();
    expect(active.data.map((x) => x.id)).not.toContain(p.id);

    expect((await call('DELETE', `${url}/${p.id}`)).statusCode).toBe(204);
    expect((await call('GET', `${url}/${p.id}`)).statusCode).toBe(404);
    expect(await auditActions(t, p.id)).toEqual(['promotion.created', 'promotion.updated', 'promotion.deleted']);
  });

  it('pages newest first with a cursor', async () => {
    const made = [await create({}), await create({}), await create({})];
    const first = (await call('GET', `${url}?limit=2`)).json<{ data: Promotion[]; nextCursor: string }>();
    expect(first.data.map((x) => x.id)).toEqual([made[2]?.id, made[1]?.id]);
    const next = (await call('GET', `${url}?limit=2&cursor=${first.nextCursor}`)).json<{ data: Promotion[] }>();
    expect(next.data[0]?.id).toBe(made[0]?.id);
  });

  it('refuses a code another promotion uses in any case (409 naming /body/code)', async () => {
    const c = code('Dup');
    await create({ code: c });
    const before = await count();
    const res = await call('POST', url, { name: 'x', kind: 'percentage', value: 10, code: c.toUpperCase() });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'PROMOTION_CODE_TAKEN', errors: [{ path: '/body/code' }] });
    expect(await count()).toBe(before);
  });

  it('refuses invalid promotions with 400 naming each field, creating nothing', async () => {
    const before = await count();
    const cases: [Record<string, unknown>, string[]][] = [
      [{ kind: 'percentage', value: 10_001 }, ['/body/value']],
      [{ kind: 'fixed', value: 100 }, ['/body/currency']],
      [{ kind: 'percentage', value: 100, minSubtotal: 500 }, ['/body/currency']],
      [{ kind: 'fixed', value: 100, currency: 'EUX' }, ['/body/currency']],
      [{ kind: 'percentage', value: 100, target: 'products' }, ['/body/targetIds']],
      [{ kind: 'percentage', value: 100, targetIds: [newId('product')] }, ['/body/targetIds']],
      [
        { kind: 'percentage', value: 100, target: 'products', targetIds: ['cat_x', newId('product')] },
        ['/body/targetIds/0'],
      ],
      [
        { kind: 'percentage', value: 100, startsAt: '2026-02-01T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' },
        ['/body/endsAt'],
      ],
    ];
    for (const [body, paths] of cases) {
      const res = await call('POST', url, { name: 'Bad', ...body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(
        res.json<{ errors: { path: string }[] }>().errors.map((e) => e.path),
        JSON.stringify(body),
      ).toEqual(paths);
    }
    const schema = await call('POST', url, { name: 'Bad', kind: 'half', value: 1, code: 'has space' });
    expect(schema.statusCode).toBe(400);
    expect(await count()).toBe(before);
  });

  it('answers 404 for unknown ids, refuses deleting a redeemed promotion (409) and a usage limit below its uses (400)', async () => {
    expect((await call('GET', `${url}/promo_nope`)).statusCode).toBe(404);
    expect((await call('PATCH', `${url}/promo_nope`, { active: false })).statusCode).toBe(404);
    expect((await call('DELETE', `${url}/promo_nope`)).statusCode).toBe(404);
    const p = await create({ usageLimit: 5 });
    for (const orderId of ['ord_r1', 'ord_r2']) {
      await withTransaction(t.db.db, (tx) =>
        redeemPromotions(tx, { promotionIds: [p.id], customerKey: null, orderId }),
      );
    }
    const del = await call('DELETE', `${url}/${p.id}`);
    expect(del.statusCode).toBe(409);
    expect(del.json()).toMatchObject({ code: 'PROMOTION_IN_USE' });
    const low = await call('PATCH', `${url}/${p.id}`, { usageLimit: 1 });
    expect(low.statusCode).toBe(400);
    expect(low.json()).toMatchObject({ errors: [{ path: '/body/usageLimit' }] });
    expect((await call('GET', `${url}/${p.id}`)).json()).toMatchObject({ used: 2, usageLimit: 5 });
    expect((await call('PATCH', `${url}/${p.id}`, {})).statusCode).toBe(400);
  });

  it('answers 401 without credentials and 403 without the permission; read-only cannot write', async () => {
    const p = await create({});
    const reader = client(t, (await staffSession(t, await customRole(t, ['promotions:read']))).token);
    const other = client(t, (await staffSession(t, await customRole(t, ['settings:manage', 'orders:write']))).token);
    const anonymous: ReturnType<typeof client> = (method, u, payload) =>
      t.app.inject({ method, url: u, ...(payload ? { payload } : {}) });
    const reads: [string, string][] = [
      ['GET', url],
      ['GET', `${url}/${p.id}`],
    ];
    const writes: [string, string, Record<string, unknown>?][] = [
      ['POST', url, { name: 'x', kind: 'percentage', value: 1 }],
      ['PATCH', `${url}/${p.id}`, { active: false }],
      ['DELETE', `${url}/${p.id}`],
    ];
    const before = await count();
    for (const [method, u, body] of [...reads, ...writes]) {
      expect((await anonymous(method as 'GET', u, body)).statusCode, `${method} ${u}`).toBe(401);
      const denied = await other(method as 'GET', u, body);
      expect(denied.statusCode, `${method} ${u}`).toBe(403);
      expect(denied.json()).toMatchObject({ code: 'PERMISSION_DENIED' });
    }
    for (const [method, u] of reads) expect((await reader(method as 'GET', u)).statusCode).toBe(200);
    for (const [method, u, body] of writes) expect((await reader(method as 'GET', u, body)).statusCode).toBe(403);
    expect(await count()).toBe(before);
    expect((await call('GET', `${url}/${p.id}`)).json()).toMatchObject({ active: true });
  });
});
