import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  bearer,
  countRows,
  goodPassword,
  login,
  me,
  otherPassword,
  register,
  signUp,
  uniqueEmail,
} from './customers.helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** Runs `fn` and asserts it created no customer, session or audit row. */
async function changesNothing(fn: () => Promise<void>) {
  const before = await Promise.all([countRows(t, 'customer'), countRows(t, 'auth_session'), countRows(t, 'audit_log')]);
  await fn();
  const after = await Promise.all([countRows(t, 'customer'), countRows(t, 'auth_session'), countRows(t, 'audit_log')]);
  expect(after).toEqual(before);
}

describe('registration errors', () => {
  it('refuses a second account for the same email, whatever its case or spacing, with 409 EMAIL_TAKEN', async () => {
    const email = uniqueEmail('dup');
    expect((await register(t, { email, password: goodPassword })).statusCode).toBe(201);
    await changesNothing(async () => {
      const res = await register(t, { email: ` ${email.toUpperCase()} `, password: otherPassword });
      expect(res.statusCode).toBe(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 409, code: 'EMAIL_TAKEN' });
      expect(res.body).not.toContain('customer_email_normalized_key');
    });
  });

  it.each([
    ['too short', 'Ab3$x9', /at least 8/],
    ['too long', 'x'.repeat(129), /at most 128/],
    ['one of the most common passwords', 'iloveyou', /common/],
    ['a common password in another case', 'PASSWORD1', /common/],
  ])('refuses a password that is %s with 400 naming /body/password', async (_label, password, message) => {
    await changesNothing(async () => {
      const res = await register(t, { email: uniqueEmail('weak'), password });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      expect(res.json().errors).toEqual([{ path: '/body/password', message: expect.stringMatching(message) }]);
      expect(res.body).not.toContain(password);
    });
  });

  it.each(['not-an-email', 'two@@example.com', 'spa ce@example.com', 'nodot@example', ''])(
    'refuses the malformed email %j with 400 naming /body/email',
    async (email) => {
      await changesNothing(async () => {
        const res = await register(t, { email, password: goodPassword });
        expect(res.statusCode).toBe(400);
        expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('/body/email');
      });
    },
  );

  it('refuses an unknown field with 400 naming it, and missing fields with 400 naming them', async () => {
    await changesNothing(async () => {
      const extra = await register(t, { email: uniqueEmail(), password: goodPassword, emailVerified: true });
      expect(extra.statusCode).toBe(400);
      expect(extra.json().errors).toContainEqual({ path: '/body/emailVerified', message: 'is not a known field' });
      const missing = await register(t, {});
      expect(missing.statusCode).toBe(400);
      const paths = missing.json().errors.map((e: { path: string }) => e.path);
      expect(paths).toEqual(expect.arrayContaining(['/body/email', '/body/password']));
    });
  });
});

describe('login errors', () => {
  it('answers a wrong password and an unknown email with the same 401 body and opens no session', async () => {
    const a = await signUp(t);
    await changesNothing(async () => {
      const wrong = await login(t, a.email, 'not the right password');
      const unknown = await login(t, uniqueEmail('nobody'), 'not the right password');
      for (const res of [wrong, unknown]) {
        expect(res.statusCode).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
      expect(wrong.json().code).toBe('INVALID_CREDENTIALS');
      expect(strip(wrong.json())).toEqual(strip(unknown.json()));
      expect(wrong.headers['www-authenticate']).toEqual(unknown.headers['www-authenticate']);
    });
  });

  it('locks an email after 6 failed logins with 429 and Retry-After, for known and unknown emails alike', async () => {
    const a = await signUp(t);
    const attempt = (email: string, password: string, remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: '/v1/store/auth/sessions', payload: { email, password }, remoteAddress });
    for (const [email, ip] of [
      [a.email, '10.9.0.1'],
      [uniqueEmail('ghost'), '10.9.0.2'],
    ] as const) {
      // The first lock lasts about a second, so the checks follow the sixth failure immediately.
      for (let i = 0; i < 6; i++) expect((await attempt(email, 'wrong password here', ip)).statusCode).toBe(401);
      const locked = await attempt(email, 'wrong password here', '10.9.0.3');
      expect(locked.statusCode).toBe(429);
      expect(locked.json().code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      if (email === a.email) {
        // Even the right password waits out the lock, and no session is opened meanwhile.
        const sessions = await countRows(t, 'auth_session');
        expect((await attempt(a.email, a.password, '10.9.0.4')).statusCode).toBe(429);
        expect(await countRows(t, 'auth_session')).toBe(sessions);
      }
    }
  });

  it('refuses a login body with an unknown field or a malformed email with 400', async () => {
    await changesNothing(async () => {
      const extra = await t.app.inject({
        method: 'POST',
        url: '/v1/store/auth/sessions',
        payload: { email: uniqueEmail(), password: goodPassword, remember: true },
      });
      expect(extra.statusCode).toBe(400);
      expect(extra.json().errors).toContainEqual({ path: '/body/remember', message: 'is not a known field' });
      const bad = await login(t, 'nope', goodPassword);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('/body/email');
    });
  });
});

describe('profile and password errors', () => {
  it('refuses a profile patch that tries to change the email or id, and changes nothing', async () => {
    const a = await signUp(t);
    for (const payload of [{ email: uniqueEmail() }, { id: 'cus_someone_else' }, { firstName: 'x'.repeat(101) }]) {
      const res = await t.app.inject({
        method: 'PATCH',
        url: '/v1/store/customers/me',
        headers: bearer(a.token),
        payload,
      });
      expect(res.statusCode).toBe(400);
    }
    const row = await t.db.db
      .selectFrom('customer')
      .select(['email', 'version', 'first_name'])
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ email: a.email, version: 1, first_name: null });
  });

  it('refuses a wrong current password with 422 CURRENT_PASSWORD_INCORRECT and keeps password and sessions', async () => {
    const a = await signUp(t);
    const other = (await login(t, a.email, a.password)).json<{ token: string }>().token;
    await changesNothing(async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/store/customers/me/password',
        headers: bearer(a.token),
        payload: { currentPassword: 'wrong password here', newPassword: otherPassword },
      });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({
        code: 'CURRENT_PASSWORD_INCORRECT',
        errors: [{ path: '/body/currentPassword', message: 'is incorrect' }],
      });
    });
    expect((await me(t, other)).statusCode).toBe(200);
    expect((await login(t, a.email, otherPassword)).statusCode).toBe(401);
  });

  it('counts wrong current passwords like failed logins: after 5 the account is locked (429 + Retry-After)', async () => {
    const a = await signUp(t);
    const change = (currentPassword: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/store/customers/me/password',
        headers: bearer(a.token),
        remoteAddress: '10.77.0.1',
        payload: { currentPassword, newPassword: otherPassword },
      });
    for (let i = 0; i < 6; i++) expect((await change(`wrong guess ${i}`)).statusCode).toBe(422);
    const locked = await change(a.password);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // The same lock guards the login route for this account.
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/store/auth/sessions',
      remoteAddress: '10.77.0.2',
      payload: { email: a.email, password: a.password },
    });
    expect(res.statusCode).toBe(429);
  });

  it('refuses a new password that breaks the policy with 400 naming /body/newPassword', async () => {
    const a = await signUp(t);
    const other = (await login(t, a.email, a.password)).json<{ token: string }>().token;
    for (const newPassword of ['short', 'password1']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/store/customers/me/password',
        headers: bearer(a.token),
        payload: { currentPassword: a.password, newPassword },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual([{ path: '/body/newPassword', message: expect.any(String) }]);
    }
    expect((await me(t, other)).statusCode).toBe(200);
    expect((await login(t, a.email, a.password)).statusCode).toBe(201);
  });
});
