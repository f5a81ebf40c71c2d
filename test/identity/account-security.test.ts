import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff } from '../../src/modules/identity/index.js';
import { totpCode } from '../../src/modules/identity/totp.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { auth, staffEmail, staffLogin, staffPassword } from './staff.helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function signedIn() {
  const email = staffEmail('account');
  const { id } = await createStaff(t.db.db, { email, password: staffPassword, roleId: 'role_support' });
  const res = await staffLogin(t, email, staffPassword);
  expect(res.statusCode).toBe(201);
  return { id, email, token: res.json<{ token: string }>().token };
}

const me = (token: string) => t.app.inject({ method: 'GET', url: '/v1/admin/staff/me', headers: auth(token) });
const auditActions = async (staffId: string) =>
  (await t.db.db.selectFrom('audit_log').select(['action']).where('target_id', '=', staffId).execute()).map(
    (r) => r.action,
  );

describe('sign out everywhere (staff)', () => {
  it('ends every session of the member, this one included, and is audited', async () => {
    const s = await signedIn();
    const other = (await staffLogin(t, s.email, staffPassword)).json<{ token: string }>().token;
    expect((await me(other)).statusCode).toBe(200);
    const res = await t.app.inject({ method: 'DELETE', url: '/v1/admin/auth/sessions', headers: auth(s.token) });
    expect(res.statusCode).toBe(204);
    expect((await me(s.token)).statusCode).toBe(401);
    expect((await me(other)).statusCode).toBe(401);
    expect(await auditActions(s.id)).toContain('staff.sessions_revoked');
  });

  it('needs a staff session', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/v1/admin/auth/sessions' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
});

describe('new recovery codes', () => {
  const regenerate = (token: string, code: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/admin/staff/me/mfa/recovery-codes',
      headers: auth(token),
      payload: { code },
    });

  it('replaces the codes after a valid code (old ones stop working), refuses a wrong code, and is audited', async () => {
    const s = await signedIn();
    const secret = (
      await t.app.inject({ method: 'POST', url: '/v1/admin/staff/me/mfa', headers: auth(s.token) })
    ).json<{ secret: string }>().secret;
    const confirmed = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/staff/me/mfa/confirm',
      headers: auth(s.token),
      payload: { code: totpCode(secret) },
    });
    const oldCodes = confirmed.json<{ recoveryCodes: string[] }>().recoveryCodes;

    const wrong = await regenerate(s.token, 'not-a-code');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'INVALID_MFA_CODE' });

    // A recovery code proves possession too (the current TOTP step was used by the confirmation).
    const ok = await regenerate(s.token, oldCodes[0] ?? '');
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    const fresh = ok.json<{ recoveryCodes: string[] }>().recoveryCodes;
    expect(fresh).toHaveLength(oldCodes.length);
    expect(fresh.some((c) => oldCodes.includes(c))).toBe(false);

    // An old code no longer signs in; a new one does.
    const oldLogin = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/auth/sessions',
      payload: { email: s.email, password: staffPassword, code: oldCodes[1] },
    });
    expect(oldLogin.statusCode).toBe(401);
    const newLogin = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/auth/sessions',
      payload: { email: s.email, password: staffPassword, code: fresh[0] },
    });
    expect(newLogin.statusCode).toBe(201);
    expect(await auditActions(s.id)).toContain('staff.mfa_recovery_codes_regenerated');
  });

  it('is refused (409) when MFA is off', async () => {
    const s = await signedIn();
    const res = await regenerate(s.token, '123456');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'MFA_NOT_ENABLED' });
  });
});
