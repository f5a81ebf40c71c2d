import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, findRoleIdByName, permissions } from '../../src/modules/identity/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { auth, countRows, customRole, staffEmail, staffLogin, staffPassword, staffSession } from './staff.helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const me = (token: string) => t.app.inject({ method: 'GET', url: '/v1/admin/staff/me', headers: auth(token) });

describe('createStaff', () => {
  it('creates an active staff member with a normalized email, a hashed password and a staff.created audit row', async () => {
    const email = `  Grace.${Date.now()}@Shop.Example `;
    const { id } = await createStaff(t.db.db, { email, password: staffPassword, name: 'Grace', roleId: 'role_admin' });
    const row = await t.db.db.selectFrom('staff_user').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'active',
      role_id: 'role_admin',
      email_normalized: email.trim().toLowerCase(),
    });
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const audit = await t.db.db.selectFrom('audit_log').selectAll().where('target_id', '=', id).execute();
    expect(audit.map((a) => a.action)).toEqual(['staff.created']);
    expect(JSON.stringify(audit[0]?.changes)).not.toContain(staffPassword);
  });

  it('refuses an email that differs only in case with 409 EMAIL_TAKEN and writes nothing', async () => {
    const email = staffEmail();
    await createStaff(t.db.db, { email, password: staffPassword, roleId: 'role_support' });
    const [staff, audit] = [await countRows(t, 'staff_user'), await countRows(t, 'audit_log')];
    await expect(
      createStaff(t.db.db, { email: email.toUpperCase(), password: staffPassword, roleId: 'role_support' }),
    ).rejects.toMatchObject({ status: 409, code: 'EMAIL_TAKEN' });
    expect(await countRows(t, 'staff_user')).toBe(staff);
    expect(await countRows(t, 'audit_log')).toBe(audit);
  });

  it('refuses a weak password, a malformed email and an unknown role, writing nothing', async () => {
    const before = await countRows(t, 'staff_user');
    const base = { email: staffEmail(), password: staffPassword, roleId: 'role_owner' };
    await expect(createStaff(t.db.db, { ...base, password: 'short' })).rejects.toMatchObject({ status: 400 });
    await expect(createStaff(t.db.db, { ...base, email: 'not-an-email' })).rejects.toMatchObject({ status: 400 });
    await expect(createStaff(t.db.db, { ...base, roleId: 'role_nope' })).rejects.toMatchObject({ status: 404 });
    expect(await countRows(t, 'staff_user')).toBe(before);
  });

  it('finds built-in roles by name, accepting catalog-manager for "catalog manager"', async () => {
    expect(await findRoleIdByName(t.db.db, 'owner')).toBe('role_owner');
    expect(await findRoleIdByName(t.db.db, 'catalog-manager')).toBe('role_catalog_manager');
    expect(await findRoleIdByName(t.db.db, 'read-only')).toBe('role_read_only');
    expect(await findRoleIdByName(t.db.db, 'emperor')).toBeUndefined();
  });
});

describe('staff login, profile and logout', () => {
  it('logs in with 201 {token, expiresAt} and the token reads the profile with role and permissions', async () => {
    const s = await staffSession(t, 'role_catalog_manager');
    const res = await me(s.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id: s.id,
      email: s.email,
      name: null,
      role: { id: 'role_catalog_manager', name: 'catalog manager' },
      permissions: ['catalog:read', 'catalog:write', 'inventory:read', 'inventory:adjust', 'orders:read'],
      stockAlerts: false,
      mfaEnabled: false,
      mfaEnrolmentRequired: false,
    });
    const owner = await staffSession(t, 'role_owner');
    expect((await me(owner.token)).json<{ permissions: string[] }>().permissions).toEqual([...permissions]);
  });

  it('returns the same 401 INVALID_CREDENTIALS body for unknown email, wrong password and a disabled account, opening no session', async () => {
    const active = await staffSession(t, 'role_support');
    const disabled = await staffSession(t, 'role_support');
    await t.db.db.updateTable('staff_user').set({ status: 'disabled' }).where('id', '=', disabled.id).execute();
    const sessions = await countRows(t, 'auth_session');
    const attempts = [
      await staffLogin(t, staffEmail('nobody'), staffPassword),
      await staffLogin(t, active.email, 'wrong-password-123'),
      await staffLogin(t, disabled.email, staffPassword),
    ];
    const bodies = attempts.map((r) => {
      expect(r.statusCode).toBe(401);
      const { requestId: _, ...rest } = r.json<Record<string, unknown>>();
      return rest;
    });
    expect(bodies[0]).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(await countRows(t, 'auth_session')).toBe(sessions);
  });

  it('rejects a login body with unknown fields with 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/auth/sessions',
      payload: { email: 'a@b.co', password: 'x', admin: true },
    });
    expect(res.statusCode).toBe(400);
  });

  it('ends the session on logout: 204, then the same token gets 401', async () => {
    const s = await staffSession(t);
    const out = await t.app.inject({
      method: 'DELETE',
      url: '/v1/admin/auth/sessions/current',
      headers: auth(s.token),
    });
    expect(out.statusCode).toBe(204);
    expect((await me(s.token)).statusCode).toBe(401);
  });

  it('refuses the profile and logout without credentials (401) and to an API key (403)', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/staff/me' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/admin/auth/sessions/current' })).statusCode).toBe(401);
    const owner = await staffSession(t);
    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: auth(owner.token),
      payload: { name: 'ci', kind: 'secret', permissions: ['all'] },
    });
    expect((await me(key.json<{ key: string }>().key)).statusCode).toBe(403);
  });

  it('a staff member whose custom role has no permissions can read their profile with an empty permission list', async () => {
    const role = await customRole(t, []);
    const s = await staffSession(t, role);
    expect((await me(s.token)).json()).toMatchObject({ role: { id: role }, permissions: [] });
  });

  it('never writes the session token or the password to the logs', async () => {
    const s = await staffSession(t);
    await me(s.token);
    const raw = t.logs.raw.join('\n');
    expect(raw).not.toContain(s.token);
    expect(raw).not.toContain(staffPassword);
  });
});
