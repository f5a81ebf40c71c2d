import type { FastifyPluginAsync } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/platform/http/types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { collectRoutes, concrete, type WalkedRoute } from '../support/routes.js';
import { auth, customRole, staffSession } from './staff.helpers.js';

/** Admin routes open to any signed-in staff member (or anyone) by design; every other needs a permission. */
const notPermissionScoped = new Set([
  'POST /v1/admin/auth/sessions',
  'DELETE /v1/admin/auth/sessions',
  'DELETE /v1/admin/auth/sessions/current',
  'GET /v1/admin/staff/me',
  'PATCH /v1/admin/staff/me',
  'POST /v1/admin/staff/me/mfa',
  'POST /v1/admin/staff/me/mfa/confirm',
  'DELETE /v1/admin/staff/me/mfa',
  'POST /v1/admin/staff/me/mfa/recovery-codes',
  'POST /v1/admin/staff/invites/accept',
  'POST /v1/admin/staff/me/password',
  'POST /v1/admin/auth/password-reset',
  'POST /v1/admin/auth/password-reset/confirm',
]);

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

const api = () => routes.filter((r) => r.url.startsWith('/v1/'));
const permissionRoutes = () =>
  api().filter((r) => r.url.startsWith('/v1/admin/') && typeof r.auth === 'object') as (WalkedRoute & {
    auth: { permission: string };
  })[];

describe('route walk', () => {
  it('sees the admin routes, and every /v1 route declares config.auth', () => {
    expect(permissionRoutes().length).toBeGreaterThanOrEqual(4);
    for (const r of api()) expect(r.auth, `${r.method} ${r.url}`).toBeDefined();
  });

  it('every /v1/admin route requires a permission unless it is one of the known staff/public routes', () => {
    const unscoped = api()
      .filter((r) => r.url.startsWith('/v1/admin/') && typeof r.auth !== 'object')
      .map((r) => `${r.method} ${r.url}`);
    expect(unscoped.filter((r) => !notPermissionScoped.has(r))).toEqual([]);
  });

  it('every permission route answers 401 without credentials, 403 to a role without it, and lets an owner through', async () => {
    const nobody = await staffSession(t, await customRole(t, []));
    const owner = await staffSession(t, 'role_owner');
    for (const r of permissionRoutes()) {
      const req = { method: r.method as 'GET', url: concrete(r.url) };
      const label = `${r.method} ${r.url} (${r.auth.permission})`;
      expect((await t.app.inject(req)).statusCode, label).toBe(401);
      const denied = await t.app.inject({ ...req, headers: auth(nobody.token) });
      expect(denied.statusCode, label).toBe(403);
      expect(denied.json(), label).toMatchObject({ code: 'PERMISSION_DENIED' });
      expect([401, 403], label).not.toContain((await t.app.inject({ ...req, headers: auth(owner.token) })).statusCode);
    }
  });

  it('building an app with a /v1/admin route that declares no auth throws', async () => {
    const forgetful: FastifyPluginAsync = async (instance) => {
      (instance as App).get('/v1/admin/x', async () => ({ ok: true }));
    };
    await expect(createTestApp({ db: t.db, plugins: [forgetful] })).rejects.toThrow(/declares no auth/);
  });
});
