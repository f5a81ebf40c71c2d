import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNextImportJob } from '../../src/modules/imports/index.js';
import { wireModules } from '../../src/wiring.js';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let token: string;
let run = '';
beforeAll(async () => {
  t = await createTestApp();
  token = (await staffSession(t, 'role_catalog_manager')).token;
  run = Date.now().toString(36);
});
afterAll(async () => {
  await t?.close();
});

const upload = (body: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/admin/imports',
    headers: { ...auth(token), 'content-type': 'text/csv' },
    payload: body,
  });
const list = (query = '', as = token) =>
  t.app.inject({ method: 'GET', url: `/v1/admin/imports${query}`, headers: auth(as) });

interface Summary {
  id: string;
  status: string;
  errorCount: number;
  errors?: unknown;
}

describe('the list of past imports', () => {
  it('lists jobs newest first with cursor paging, filters by status, and leaves the error report out', async () => {
    const ids: string[] = [];
    // The first one is run (and rejected: a bad handle), the two others stay queued.
    ids.push((await upload(`handle,title,sku\nBAD HANDLE ${run},X,X-${run}\n`)).json<{ id: string }>().id);
    await runNextImportJob(wireModules(t.db.db));
    ids.push((await upload(`handle,title,sku\na-${run},A,A-${run}\n`)).json<{ id: string }>().id);
    ids.push((await upload(`handle,title,sku\nb-${run},B,B-${run}\n`)).json<{ id: string }>().id);

    const all = await list('?limit=100');
    expect(all.statusCode, all.body).toBe(200);
    const mine = all.json<{ data: Summary[] }>().data.filter((j) => ids.includes(j.id));
    expect(mine.map((j) => j.id)).toEqual([...ids].reverse());
    expect(mine.map((j) => j.status)).toEqual(['queued', 'queued', 'rejected']);
    expect(mine[2]).toMatchObject({ errorCount: 1 });
    expect(mine.every((j) => j.errors === undefined)).toBe(true);

    const first = (await list('?limit=2')).json<{ data: Summary[]; nextCursor: string | null }>();
    expect(first.data.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    expect(first.nextCursor).toBe(ids[1]);
    const second = (await list(`?limit=2&cursor=${first.nextCursor}`)).json<{
      data: Summary[];
      nextCursor: string | null;
    }>();
    expect(second.data.map((j) => j.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();

    const rejected = (await list('?status=rejected')).json<{ data: Summary[] }>().data.map((j) => j.id);
    expect(rejected).toEqual([ids[0]]);

    // The full report is on the job itself.
    const one = await t.app.inject({ method: 'GET', url: `/v1/admin/imports/${ids[0]}`, headers: auth(token) });
    expect(one.json()).toMatchObject({ status: 'rejected', errors: [{ row: 2, column: 'handle' }] });
  });

  it('refuses a malformed cursor, limit or status with 400 naming the field', async () => {
    for (const [query, field] of [
      ['?cursor=nope', 'cursor'],
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?status=finished', 'status'],
    ] as const) {
      const res = await list(query);
      expect(res.statusCode, query).toBe(400);
      expect(JSON.stringify(res.json().errors), query).toContain(field);
    }
  });

  it('needs a credential (401) and catalog:read (403)', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/imports' })).statusCode).toBe(401);
    const other = (await staffSession(t, await customRole(t, ['orders:read']))).token;
    expect((await list('', other)).statusCode).toBe(403);
    const reader = (await staffSession(t, await customRole(t, ['catalog:read']))).token;
    expect((await list('', reader)).statusCode).toBe(200);
  });
});
