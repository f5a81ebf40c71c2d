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

/** A code for `steps` time steps from now (the current step is used up by confirmation). */
const codeAt = (secret: string, steps: number) => totpCode(secret, Date.now() + steps * 30_000);

async function signedIn(roleId = 'role_support') {
  const email = staffEmail('mfa');
  const { id } = await createStaff(t.db.db, { email, password: staffPassword, roleId });
  const res = await staffLogin(t, email, staffPassword);
  expect(res.statusCode).toBe(201);
  return { id, email, token: res.json<{ token: string }>().token };
}

const start = (token: string) => t.app.inject({ method: 'POST', url: '/v1/admin/staff/me/mfa', headers: auth(token) });
const confirm = (token: string, code: string) =>
  t.app.inject({ method: 'POST', url: '/v1/admin/staff/me/mfa/confirm', headers: auth(token), payload: { code } });
const login = (email: string, code?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/admin/auth/sessions',
    payload: code === undefined ? { email, password: staffPassword } : { email, password: staffPassword, code },
  });
const staffRow = (id: string) =>
  t.db.db
    .selectFrom('staff_user')
    .select(['mfa_secret', 'mfa_pending_secret', 'mfa_enabled_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

async function enrolled() {
  const s = await signedIn();
  const secret = (await start(s.token)).json<{ secret: string }>().secret;
  const res = await confirm(s.token, totpCode(secret));
  expect(res.statusCode).toBe(200);
  return { ...s, secret, recoveryCodes: res.json<{ recoveryCodes: string[] }>().recoveryCodes };
}

describe('MFA enrolment', () => {
  it('starts with a sealed pending secret, refuses a wrong code, then enables with a real code and returns 10 recovery codes once', async () => {
    const s = await signedIn();
    const started = await start(s.token);
    expect(started.statusCode).toBe(200);
    expect(started.headers['cache-control']).toBe('no-store');
    const { secret, otpauthUri } = started.json<{ secret: string; otpauthUri: string }>();
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(otpauthUri).toContain(`secret=${secret}`);
    const pending = await staffRow(s.id);
    expect(pending.mfa_pending_secret).toMatch(/^v1\./);
    expect(pending.mfa_pending_secret).not.toContain(secret);

    const wrong = await confirm(s.token, codeAt(secret, 10));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'INVALID_MFA_CODE' });
    expect((await staffRow(s.id)).mfa_enabled_at).toBeNull();

    const ok = await confirm(s.token, totpCode(secret));
    expect(ok.statusCode).toBe(200);
    const codes = ok.json<{ recoveryCodes: string[] }>().recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const row = await staffRow(s.id);
    expect(row.mfa_enabled_at).not.toBeNull();
    expect(row.mfa_pending_secret).toBeNull();
    expect(row.mfa_secret).toMatch(/^v1\./);
    expect(row.mfa_secret).not.toContain(secret);
    const stored = await t.db.db
      .selectFrom('staff_mfa_recovery_code')
      .select('code_hash')
      .where('staff_id', '=', s.id)
      .execute();
    expect(stored).toHaveLength(10);
    for (const c of codes) expect(stored.map((r) => r.code_hash)).not.toContain(c);
    const audit = await t.db.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', s.id)
      .where('action', '=', 'staff.mfa_enabled')
      .execute();
    expect(audit).toHaveLength(1);
    expect((await confirm(s.token, codeAt(secret, 1))).json()).toMatchObject({ code: 'MFA_ALREADY_ENABLED' });

    const raw = t.logs.raw.join('\n');
    expect(raw).not.toContain(secret);
    for (const c of codes) expect(raw).not.toContain(c);
  });

  it('refuses confirmation before enrolment started', async () => {
    const s = await signedIn();
    const res = await confirm(s.token, '123456');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'MFA_NOT_STARTED' });
  });

  it('needs a staff session', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/v1/admin/staff/me/mfa' })).statusCode).toBe(401);
  });
});

describe('MFA login challenge', () => {
  it('answers 401 MFA_REQUIRED without a code or with a wrong one, 201 with a fresh code, and refuses a replay', async () => {
    const s = await enrolled();
    const none = await login(s.email);
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.json()).toMatchObject({ code: 'MFA_REQUIRED' });
    const wrong = await login(s.email, codeAt(s.secret, 20));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 'MFA_REQUIRED' });
    // The confirmation used the current step; the next one is fresh.
    const code = codeAt(s.secret, 1);
    const ok = await login(s.email, code);
    expect(ok.statusCode).toBe(201);
    const session = await t.db.db
      .selectFrom('auth_session')
      .select('mfa_verified')
      .where('subject_id', '=', s.id)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(session.mfa_verified).toBe(true);
    const me = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/staff/me',
      headers: auth(ok.json<{ token: string }>().token),
    });
    expect(me.statusCode).toBe(200);
    const replay = await login(s.email, code);
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ code: 'MFA_REQUIRED' });
  });

  it('accepts a recovery code once', async () => {
    const s = await enrolled();
    const recovery = s.recoveryCodes[0] ?? '';
    expect((await login(s.email, recovery)).statusCode).toBe(201);
    const again = await login(s.email, recovery);
    expect(again.statusCode).toBe(401);
    expect(again.json()).toMatchObject({ code: 'MFA_REQUIRED' });
  });
});

describe('disabling MFA', () => {
  it('needs a fresh code, then turns MFA off and deletes the recovery codes', async () => {
    const s = await enrolled();
    const disable = (code: string) =>
      t.app.inject({ method: 'DELETE', url: '/v1/admin/staff/me/mfa', headers: auth(s.token), payload: { code } });
    const used = await disable(totpCode(s.secret));
    expect(used.statusCode).toBe(400);
    expect(used.json()).toMatchObject({ code: 'INVALID_MFA_CODE' });
    expect((await staffRow(s.id)).mfa_enabled_at).not.toBeNull();
    expect((await disable(codeAt(s.secret, 1))).statusCode).toBe(204);
    const row = await staffRow(s.id);
    expect(row.mfa_enabled_at).toBeNull();
    expect(row.mfa_secret).toBeNull();
    const left = await t.db.db
      .selectFrom('staff_mfa_recovery_code')
      .select('code_hash')
      .where('staff_id', '=', s.id)
      .execute();
    expect(left).toHaveLength(0);
    const audit = await t.db.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', s.id)
      .where('action', '=', 'staff.mfa_disabled')
      .execute();
    expect(audit).toHaveLength(1);
    expect((await login(s.email)).statusCode).toBe(201);
  });
});

describe('sessions opened without a second factor', () => {
  it('end when MFA is enrolled in another session; the enrolling session keeps working', async () => {
    const s = await signedIn();
    const other = (await staffLogin(t, s.email, staffPassword)).json<{ token: string }>().token;
    const secret = (await start(s.token)).json<{ secret: string }>().secret;
    expect((await confirm(s.token, totpCode(secret))).statusCode).toBe(200);
    const me = (token: string) => t.app.inject({ method: 'GET', url: '/v1/admin/staff/me', headers: auth(token) });
    expect((await me(s.token)).statusCode).toBe(200);
    expect((await me(other)).statusCode).toBe(401);
  });

  it('are refused even if one escaped revocation (a session row without mfa_verified on an MFA account)', async () => {
    const s = await enrolled();
    const fresh = await login(s.email, codeAt(s.secret, 1));
    expect(fresh.statusCode).toBe(201);
    const token = fresh.json<{ token: string }>().token;
    const me = () => t.app.inject({ method: 'GET', url: '/v1/admin/staff/me', headers: auth(token) });
    expect((await me()).statusCode).toBe(200);
    // Simulate a password-only session on an MFA account (e.g. opened by an older release).
    await t.db.db.updateTable('auth_session').set({ mfa_verified: false }).where('subject_id', '=', s.id).execute();
    const refused = await me();
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });
});

describe('mandatory MFA (MFA_REQUIRED_ROLES)', () => {
  it('lets an owner without MFA sign in, but only enrol, read their profile and log out until enrolled', async () => {
    const s = await signedIn('role_owner');
    const keys = await t.app.inject({ method: 'GET', url: '/v1/admin/api-keys', headers: auth(s.token) });
    expect(keys.statusCode).toBe(403);
    expect(keys.json()).toMatchObject({ code: 'MFA_ENROLMENT_REQUIRED' });
    const before = await t.app.inject({ method: 'GET', url: '/v1/admin/staff/me', headers: auth(s.token) });
    expect(before.statusCode).toBe(200);
    // The admin app reads these to send the member to enrolment first.
    expect(before.json()).toMatchObject({ mfaEnabled: false, mfaEnrolmentRequired: true });
    const started = await start(s.token);
    expect(started.statusCode).toBe(200);
    const secret = started.json<{ secret: string }>().secret;
    expect((await confirm(s.token, totpCode(secret))).statusCode).toBe(200);
    const after = await t.app.inject({ method: 'GET', url: '/v1/admin/staff/me', headers: auth(s.token) });
    expect(after.json()).toMatchObject({ mfaEnabled: true, mfaEnrolmentRequired: false });
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/api-keys', headers: auth(s.token) })).statusCode).toBe(
      200,
    );
  });

  it('a role outside the list is not blocked', async () => {
    const s = await signedIn('role_support');
    const res = await t.app.inject({ method: 'GET', url: '/v1/admin/audit-log', headers: auth(s.token) });
    expect(res.json()).not.toMatchObject({ code: 'MFA_ENROLMENT_REQUIRED' });
  });
});
