import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff } from '../../src/modules/identity/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { auth, customRole, staffEmail, staffPassword, staffSession } from './staff.helpers.js';

let t: TestApp;
let owner: { id: string; token: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await staffSession(t);
});
afterAll(async () => {
  await t?.close();
});

interface Page {
  data: { id: string; at: string; action: string; actorId: string | null; targetId: string | null }[];
  nextCursor: string | null;
}

const read = (query: string, token = owner.token) =>
  t.app.inject({ method: 'GET', url: `/v1/admin/audit-log${query}`, headers: auth(token) });

describe('GET /v1/admin/audit-log', () => {
  it('pages newest first with a cursor until nextCursor is null', async () => {
    for (let i = 0; i < 3; i++) {
      await createStaff(t.db.db, { email: staffEmail('audited'), password: staffPassword, roleId: 'role_support' });
    }
    const all = await t.db.db.selectFrom('audit_log').select('id').orderBy('id', 'desc').execute();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await read(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json<Page>();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((r) => r.id));
  });

  it('filters by action, actorId and targetId', async () => {
    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: auth(owner.token),
      payload: { name: 'filtered', kind: 'publishable' },
    });
    const keyId = key.json<{ id: string }>().id;
    const byAction = (await read('?action=api_key.created')).json<Page>();
    expect(byAction.data.length).toBeGreaterThan(0);
    expect(byAction.data.every((r) => r.action === 'api_key.created')).toBe(true);
    const byActor = (await read(`?actorId=${owner.id}`)).json<Page>();
    expect(byActor.data.map((r) => r.targetId)).toContain(keyId);
    expect(byActor.data.every((r) => r.actorId === owner.id)).toBe(true);
    expect((await read(`?targetId=${keyId}`)).json<Page>().data.map((r) => r.action)).toEqual(['api_key.created']);
  });

  it('filters by a time range: from (inclusive) and to (exclusive)', async () => {
    const all = (await read('?limit=100')).json<Page>().data;
    const newest = all[0];
    expect(newest).toBeDefined();
    if (!newest) return;
    const at = encodeURIComponent(newest.at);
    const since = (await read(`?limit=100&from=${at}`)).json<Page>().data;
    expect(since.map((r) => r.id)).toContain(newest.id);
    expect(since.every((r) => r.at >= newest.at)).toBe(true);
    const before = (await read(`?limit=100&to=${at}`)).json<Page>().data;
    expect(before.map((r) => r.id)).not.toContain(newest.id);
    expect(before.every((r) => r.at < newest.at)).toBe(true);
    for (const bad of ['?from=yesterday', '?to=2026-13-01T00:00:00Z']) {
      const res = await read(bad);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors).toEqual([
        expect.objectContaining({ path: bad.startsWith('?from') ? '/query/from' : '/query/to' }),
      ]);
    }
  });

  it('returns what changed as a JSON object (not a JSON string) on every database', async () => {
    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: auth(owner.token),
      payload: { name: 'shape check', kind: 'secret', permissions: ['catalog:read'] },
    });
    const keyId = key.json<{ id: string }>().id;
    const [row] = (await read(`?targetId=${keyId}`)).json<{ data: { changes: unknown }[] }>().data;
    expect(row?.changes).toMatchObject({ name: 'shape check', kind: 'secret', permissions: ['catalog:read'] });
    const stored = await sql<{
      kind: string;
    }>`select jsonb_typeof(changes) as kind from audit_log where target_id = ${keyId}`.execute(t.db.db);
    expect(stored.rows).toEqual([{ kind: 'object' }]);
  });

  it('refuses a limit outside 1–100 and unknown query fields with 400', async () => {
    expect((await read('?limit=0')).statusCode).toBe(400);
    expect((await read('?limit=101')).statusCode).toBe(400);
    expect((await read('?sort=asc')).statusCode).toBe(400);
  });

  it('needs audit:read: 401 without credentials, 403 for staff without it', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/audit-log' })).statusCode).toBe(401);
    const support = await staffSession(t, 'role_support');
    expect((await read('', support.token)).statusCode).toBe(403);
    const auditor = await staffSession(t, await customRole(t, ['audit:read']));
    expect((await read('', auditor.token)).statusCode).toBe(200);
  });
});

describe('audit_log is append-only', () => {
  it('raises on UPDATE and DELETE, and the rows stay unchanged', async () => {
    const before = await t.db.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
    expect(before.length).toBeGreaterThan(0);
    await expect(sql`update audit_log set action = 'forged'`.execute(t.db.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(t.db.db)).rejects.toThrow(/append-only/);
    expect(await t.db.db.selectFrom('audit_log').selectAll().orderBy('id').execute()).toEqual(before);
  });
});
