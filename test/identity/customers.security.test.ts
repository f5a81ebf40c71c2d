import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { bearer, goodPassword, login, me, otherPassword, register, signUp, uniqueEmail } from './customers.helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const customerRoutes = [
  { method: 'GET', url: '/v1/store/customers/me' },
  { method: 'PATCH', url: '/v1/store/customers/me', payload: { firstName: 'Eve' } },
  {
    method: 'POST',
    url: '/v1/store/customers/me/password',
    payload: { currentPassword: goodPassword, newPassword: otherPassword },
  },
  { method: 'DELETE', url: '/v1/store/auth/sessions/current' },
  { method: 'DELETE', url: '/v1/store/auth/sessions' },
] as const;

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

describe('customer routes refuse callers without a valid session', () => {
  it.each(customerRoutes)('$method $url answers 401 UNAUTHENTICATED without credentials', async (route) => {
    const res = await t.app.inject({ ...route });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it.each(customerRoutes)('$method $url answers 401 INVALID_CREDENTIALS for a garbage token', async (route) => {
    for (const authorization of ['Bearer sess_garbage', `Bearer sess_${'A'.repeat(43)}`, 'Basic abc', 'Bearer']) {
      const res = await t.app.inject({ ...route, headers: { authorization } });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('INVALID_CREDENTIALS');
    }
  });

  it.each(customerRoutes)('$method $url answers 401 for a revoked session token', async (route) => {
    const a = await signUp(t);
    await t.app.inject({ method: 'DELETE', url: '/v1/store/auth/sessions/current', headers: bearer(a.token) });
    const res = await t.app.inject({ ...route, headers: bearer(a.token) });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses an expired session token', async () => {
    const a = await signUp(t);
    await t.db.db
      .updateTable('auth_session')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('token_hash', '=', sha256(a.token))
      .execute();
    expect((await me(t, a.token)).statusCode).toBe(401);
  });
});

describe('object-level authorization', () => {
  it('each customer sees and changes only their own account', async () => {
    const a = await signUp(t);
    const b = await signUp(t);
    expect((await me(t, a.token)).json().id).toBe(a.id);
    expect((await me(t, b.token)).json().id).toBe(b.id);

    const patched = await t.app.inject({
      method: 'PATCH',
      url: '/v1/store/customers/me',
      headers: bearer(a.token),
      payload: { firstName: 'Alice' },
    });
    expect(patched.json().id).toBe(a.id);
    expect((await me(t, b.token)).json().firstName).toBeNull();

    // Logging out everywhere as A leaves B signed in.
    await t.app.inject({ method: 'DELETE', url: '/v1/store/auth/sessions', headers: bearer(a.token) });
    expect((await me(t, b.token)).statusCode).toBe(200);
  });
});

describe('secrets at rest and in logs', () => {
  it('stores the password only as an argon2id hash and the session token only as its SHA-256', async () => {
    const email = uniqueEmail('vault');
    const reg = await register(t, { email, password: goodPassword });
    const { token } = (await login(t, email, goodPassword)).json<{ token: string }>();

    const customer = await t.db.db
      .selectFrom('customer')
      .selectAll()
      .where('id', '=', reg.json().id)
      .executeTakeFirstOrThrow();
    expect(customer.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(customer)).not.toContain(goodPassword);

    const sessions = await t.db.db
      .selectFrom('auth_session')
      .selectAll()
      .where('subject_id', '=', customer.id)
      .execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.token_hash).toBe(sha256(token));
    expect(JSON.stringify(sessions)).not.toContain(token);
    expect(JSON.stringify(sessions)).not.toContain(token.slice(5));
  });

  it('never stores a login response for idempotent replay, even when an Idempotency-Key is sent', async () => {
    const a = await signUp(t);
    const headers = { 'idempotency-key': `login-${a.id}` };
    const payload = { email: a.email, password: a.password };
    const first = await t.app.inject({ method: 'POST', url: '/v1/store/auth/sessions', headers, payload });
    const second = await t.app.inject({ method: 'POST', url: '/v1/store/auth/sessions', headers, payload });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json().token).not.toBe(first.json().token);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    const stored = await t.db.db.selectFrom('idempotency_key').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(first.json().token);
  });

  it('never writes passwords or tokens to the logs', async () => {
    const from = t.logs.raw.length;
    const email = uniqueEmail('quiet');
    await register(t, { email, password: goodPassword });
    await register(t, { email, password: goodPassword }); // 409
    await register(t, { email: uniqueEmail(), password: 'iloveyou' }); // 400
    await login(t, email, 'wrong password value'); // 401
    const { token } = (await login(t, email, goodPassword)).json<{ token: string }>();
    await me(t, token);
    await t.app.inject({
      method: 'POST',
      url: '/v1/store/customers/me/password',
      headers: bearer(token),
      payload: { currentPassword: goodPassword, newPassword: otherPassword },
    });
    await t.app.inject({ method: 'DELETE', url: '/v1/store/auth/sessions/current', headers: bearer(token) });
    await me(t, token); // 401 with the revoked token

    const logged = t.logs.raw.slice(from).join('\n');
    expect(logged.length).toBeGreaterThan(0);
    for (const secret of [goodPassword, otherPassword, 'iloveyou', 'wrong password value', token, token.slice(5)]) {
      expect(logged).not.toContain(secret);
    }
  });
});
