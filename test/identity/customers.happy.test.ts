import { hash } from '@node-rs/argon2';
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

describe('customer account lifecycle', () => {
  it('registers, signs in, reads and updates the profile, changes the password and logs out', async () => {
    const reg = await register(t, { email: '  Ada.Lovelace@Example.COM ', password: goodPassword, firstName: 'Ada' });
    expect(reg.statusCode).toBe(201);
    expect(reg.headers.location).toBe('/v1/store/customers/me');
    const created = reg.json();
    expect(created).toEqual({
      id: expect.stringMatching(/^cus_/),
      email: 'Ada.Lovelace@Example.COM',
      firstName: 'Ada',
      lastName: null,
      emailVerified: false,
      createdAt: expect.any(String),
    });
    const stored = await t.db.db
      .selectFrom('customer')
      .select(['email_normalized', 'version'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ email_normalized: 'ada.lovelace@example.com', version: 1 });

    // Login matches the normalized email whatever its case and surrounding spaces.
    const first = await login(t, 'ADA.lovelace@example.com ', goodPassword);
    expect(first.statusCode).toBe(201);
    expect(first.headers['cache-control']).toBe('no-store');
    const session = first.json<{ token: string; expiresAt: string }>();
    expect(session.token).toMatch(/^sess_/);
    const days = (Date.parse(session.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);

    const mine = await me(t, session.token);
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toEqual(created);

    const patched = await t.app.inject({
      method: 'PATCH',
      url: '/v1/store/customers/me',
      headers: bearer(session.token),
      payload: { lastName: 'Lovelace', firstName: 'Augusta' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toEqual({ ...created, firstName: 'Augusta', lastName: 'Lovelace' });
    const afterPatch = await t.db.db
      .selectFrom('customer')
      .select(['version', 'created_at', 'updated_at'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(afterPatch.version).toBe(2);
    expect(afterPatch.updated_at.getTime()).toBeGreaterThanOrEqual(afterPatch.created_at.getTime());

    // null clears a name.
    const cleared = await t.app.inject({
      method: 'PATCH',
      url: '/v1/store/customers/me',
      headers: bearer(session.token),
      payload: { firstName: null },
    });
    expect(cleared.json()).toMatchObject({ firstName: null, lastName: 'Lovelace' });

    // A second device signs in; the password change from the first device ends it.
    const other = (await login(t, created.email, goodPassword)).json<{ token: string }>().token;
    expect((await me(t, other)).statusCode).toBe(200);
    const change = await t.app.inject({
      method: 'POST',
      url: '/v1/store/customers/me/password',
      headers: bearer(session.token),
      payload: { currentPassword: goodPassword, newPassword: otherPassword },
    });
    expect(change.statusCode).toBe(204);
    expect((await me(t, other)).statusCode).toBe(401);
    expect((await me(t, session.token)).statusCode).toBe(200);
    expect((await login(t, created.email, goodPassword)).statusCode).toBe(401);
    expect((await login(t, created.email, otherPassword)).statusCode).toBe(201);

    const logout = await t.app.inject({
      method: 'DELETE',
      url: '/v1/store/auth/sessions/current',
      headers: bearer(session.token),
    });
    expect(logout.statusCode).toBe(204);
    expect(logout.body).toBe('');
    const refused = await me(t, session.token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('INVALID_CREDENTIALS');
  });

  it('logs out everywhere: every session of the customer stops working, other customers keep theirs', async () => {
    const a = await signUp(t);
    const b = await signUp(t);
    const a2 = (await login(t, a.email, a.password)).json<{ token: string }>().token;
    const a3 = (await login(t, a.email, a.password)).json<{ token: string }>().token;

    const res = await t.app.inject({ method: 'DELETE', url: '/v1/store/auth/sessions', headers: bearer(a2) });
    expect(res.statusCode).toBe(204);
    for (const token of [a.token, a2, a3]) expect((await me(t, token)).statusCode).toBe(401);
    expect((await me(t, b.token)).statusCode).toBe(200);

    const open = await t.db.db
      .selectFrom('auth_session')
      .select('id')
      .where('subject_id', '=', a.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(open).toEqual([]);
    const audit = await t.db.db
      .selectFrom('audit_log')
      .select(['actor_type', 'actor_id'])
      .where('action', '=', 'customer.sessions_revoked')
      .where('target_id', '=', a.id)
      .execute();
    expect(audit).toEqual([{ actor_type: 'customer', actor_id: a.id }]);
  });

  it('an empty profile patch changes nothing and returns the customer', async () => {
    const a = await signUp(t);
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/v1/store/customers/me',
      headers: bearer(a.token),
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(a.id);
    const row = await t.db.db.selectFrom('customer').select('version').where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(row.version).toBe(1);
  });

  it('rehashes a password stored with older argon2 parameters on the next successful login', async () => {
    const a = await signUp(t, uniqueEmail('legacy'));
    const legacy = await hash(a.password, { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await t.db.db.updateTable('customer').set({ password_hash: legacy }).where('id', '=', a.id).execute();

    expect((await login(t, a.email, a.password)).statusCode).toBe(201);
    const row = await t.db.db
      .selectFrom('customer')
      .select('password_hash')
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).not.toBe(legacy);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login(t, a.email, a.password)).statusCode).toBe(201);
  });
});
