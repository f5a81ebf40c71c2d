import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissions } from '../../src/modules/identity/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { auth, countRows, customRole, staffSession } from './staff.helpers.js';

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp();
  owner = (await staffSession(t)).token;
});
afterAll(async () => {
  await t?.close();
});

const create = (token: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/v1/admin/api-keys', headers: auth(token), payload });
const list = (token: string) => t.app.inject({ method: 'GET', url: '/v1/admin/api-keys', headers: auth(token) });
const revoke = (token: string, id: string) =>
  t.app.inject({ method: 'DELETE', url: `/v1/admin/api-keys/${id}`, headers: auth(token) });
const auditLog = (token: string) => t.app.inject({ method: 'GET', url: '/v1/admin/audit-log', headers: auth(token) });

interface Created {
  id: string;
  key: string;
  kind: string;
  hint: string;
  permissions: string[];
}

describe('creating API keys', () => {
  it('returns 201 with the secret key once, its hint and permissions, and the key works at once', async () => {
    const res = await create(owner, { name: 'ci', kind: 'secret', permissions: ['audit:read', 'catalog:write'] });
    expect(res.statusCode).toBe(201);
    const key = res.json<Created>();
    expect(key).toMatchObject({ name: 'ci', kind: 'secret', permissions: ['audit:read', 'catalog:write'] });
    expect(key.key).toMatch(/^sk_/);
    expect(key.hint).toBe(`sk_…${key.key.slice(-4)}`);
    expect((await auditLog(key.key)).statusCode).toBe(200);
    expect((await list(key.key)).statusCode).toBe(403);
  });

  it('expands the single value "all" to every permission', async () => {
    const res = await create(owner, { name: 'everything', kind: 'secret', permissions: ['all'] });
    expect(res.json<Created>().permissions).toEqual([...permissions]);
  });

  it('creates a publishable key with no permissions', async () => {
    const res = await create(owner, { name: 'storefront', kind: 'publishable' });
    expect(res.statusCode).toBe(201);
    expect(res.json<Created>()).toMatchObject({ kind: 'publishable', permissions: [] });
    expect(res.json<Created>().key).toMatch(/^pk_/);
  });

  it('refuses an unknown permission with 400 naming /body/permissions/N and writes nothing', async () => {
    const [keys, audit] = [await countRows(t, 'api_key'), await countRows(t, 'audit_log')];
    const res = await create(owner, { name: 'bad', kind: 'secret', permissions: ['catalog:read', 'root'] });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toEqual(['/body/permissions/1']);
    expect(await countRows(t, 'api_key')).toBe(keys);
    expect(await countRows(t, 'audit_log')).toBe(audit);
  });

  it('refuses permissions on a publishable key, a past expiry and unknown fields with 400', async () => {
    const keys = await countRows(t, 'api_key');
    const cases = [
      { name: 'pk', kind: 'publishable', permissions: ['catalog:read'] },
      { name: 'old', kind: 'secret', permissions: ['catalog:read'], expiresAt: '2001-01-01T00:00:00Z' },
      { name: 'x', kind: 'secret', owner: 'me' },
      { name: 'x', kind: 'root' },
    ];
    for (const payload of cases) expect((await create(owner, payload)).statusCode).toBe(400);
    expect(await countRows(t, 'api_key')).toBe(keys);
  });

  it('refuses with 403 a key with more permissions than its creator has, writing nothing', async () => {
    const manager = await staffSession(t, await customRole(t, ['keys:manage', 'catalog:read']));
    const keys = await countRows(t, 'api_key');
    expect(
      (await create(manager.token, { name: 'up', kind: 'secret', permissions: ['catalog:write'] })).statusCode,
    ).toBe(403);
    expect((await create(manager.token, { name: 'up', kind: 'secret', permissions: ['all'] })).statusCode).toBe(403);
    expect(await countRows(t, 'api_key')).toBe(keys);
    expect(
      (await create(manager.token, { name: 'ok', kind: 'secret', permissions: ['catalog:read'] })).statusCode,
    ).toBe(201);
  });

  it('refuses callers without keys:manage: 401 without credentials, 403 for a catalog manager', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      payload: { name: 'x', kind: 'secret' },
    });
    expect(res.statusCode).toBe(401);
    const cm = await staffSession(t, 'role_catalog_manager');
    expect((await create(cm.token, { name: 'x', kind: 'secret' })).statusCode).toBe(403);
    expect((await list(cm.token)).statusCode).toBe(403);
  });
});

describe('listing and revoking API keys', () => {
  it('lists keys without the key value or its hash, with lastUsedAt and revokedAt', async () => {
    const created = (
      await create(owner, { name: 'listed', kind: 'secret', permissions: ['audit:read'] })
    ).json<Created>();
    await auditLog(created.key);
    const res = await list(owner);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(created.key);
    const row = res.json<{ data: Record<string, unknown>[] }>().data.find((k) => k.id === created.id);
    expect(row).toMatchObject({ name: 'listed', hint: created.hint, revokedAt: null });
    expect(row?.lastUsedAt).toEqual(expect.any(String));
    expect(Object.keys(row ?? {})).not.toContain('key');
  });

  it('revokes with 204: the key gets 401 on the very next request, and api_key.created/revoked are audited', async () => {
    const created = (
      await create(owner, { name: 'temp', kind: 'secret', permissions: ['audit:read'] })
    ).json<Created>();
    expect((await auditLog(created.key)).statusCode).toBe(200);
    expect((await revoke(owner, created.id)).statusCode).toBe(204);
    expect((await auditLog(created.key)).statusCode).toBe(401);
    const rows = await t.db.db.selectFrom('audit_log').selectAll().where('target_id', '=', created.id).execute();
    expect(rows.map((r) => r.action).sort()).toEqual(['api_key.created', 'api_key.revoked']);
    expect(JSON.stringify(rows)).not.toContain(created.key);
  });

  it('answers 404 when revoking an unknown key', async () => {
    expect((await revoke(owner, 'key_unknown')).statusCode).toBe(404);
  });

  it('never stores the key value in clear (not even for idempotent replay), nor writes it to the logs', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: { ...auth(owner), 'idempotency-key': 'create-secret-key-1' },
      payload: { name: 'secret', kind: 'secret', permissions: ['audit:read'] },
    });
    const created = res.json<Created>();
    await auditLog(created.key);
    const row = await t.db.db.selectFrom('api_key').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(row.token_hash).not.toBe(created.key);
    const replay = await t.db.db.selectFrom('idempotency_key').selectAll().execute();
    expect(JSON.stringify(replay)).not.toContain(created.key);
    expect(t.logs.raw.join('\n')).not.toContain(created.key);
  });
});
