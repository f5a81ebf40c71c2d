import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/modules/identity/tokens.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { bearer, me, register, signUp, uniqueEmail } from './customers.helpers.js';
import { queuedMails, tokenFromMail } from './customers.mail.helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { STOREFRONT_URL: 'https://shop.example.com', SHOP_NAME: 'Test Shop' } });
});
afterAll(async () => {
  await t.close();
});

const verify = (token: unknown) =>
  t.app.inject({ method: 'POST', url: '/v1/store/auth/email-verification', payload: { token } });
const resend = (token: string) =>
  t.app.inject({ method: 'POST', url: '/v1/store/customers/me/verification-email', headers: bearer(token) });
const verifiedAt = async (id: string) =>
  (await t.db.db.selectFrom('customer').select('email_verified_at').where('id', '=', id).executeTakeFirstOrThrow())
    .email_verified_at;

describe('email verification', () => {
  it('registration queues a verification email with a storefront link; the token verifies the email once', async () => {
    const c = await signUp(t);
    const mails = await queuedMails(t, c.email, 'email-verification');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.status).toBe('queued');
    expect(mails[0]?.subject).toBe('Confirm your email for Test Shop');
    expect(mails[0]?.body).toContain('https://shop.example.com/verify-email?token=vrf_');
    expect((await me(t, c.token)).json()).toMatchObject({ emailVerified: false });

    const token = await tokenFromMail(t, c.email, 'email-verification', 'verify-email');
    const res = await verify(token);
    expect(res.statusCode).toBe(204);
    expect((await me(t, c.token)).json()).toMatchObject({ emailVerified: true });

    const again = await verify(token);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('stores only the hash of the token', async () => {
    const c = await signUp(t);
    const token = await tokenFromMail(t, c.email, 'email-verification', 'verify-email');
    const rows = await t.db.db.selectFrom('one_time_token').selectAll().where('subject_id', '=', c.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('re-sends a new link to an unverified customer; a verified customer gets 204 and no email', async () => {
    const c = await signUp(t);
    expect((await resend(c.token)).statusCode).toBe(204);
    expect(await queuedMails(t, c.email, 'email-verification')).toHaveLength(2);
    const token = await tokenFromMail(t, c.email, 'email-verification', 'verify-email');
    expect((await verify(token)).statusCode).toBe(204);
    expect((await resend(c.token)).statusCode).toBe(204);
    expect(await queuedMails(t, c.email, 'email-verification')).toHaveLength(2);
  });

  it('a failed registration queues no email', async () => {
    const email = uniqueEmail();
    await register(t, { email, password: 'short' });
    expect(await queuedMails(t, email, 'email-verification')).toHaveLength(0);
  });
});

describe('email verification errors', () => {
  it('an unknown, malformed or expired token → 400 INVALID_TOKEN and nothing changes', async () => {
    const c = await signUp(t);
    for (const bad of ['vrf_unknown', `vrf_${'A'.repeat(43)}`]) {
      const res = await verify(bad);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    }
    const token = await tokenFromMail(t, c.email, 'email-verification', 'verify-email');
    await t.db.db
      .updateTable('one_time_token')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('token_hash', '=', hashToken(token))
      .execute();
    const expired = await verify(token);
    expect(expired.statusCode).toBe(400);
    expect(expired.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(await verifiedAt(c.id)).toBeNull();
    const row = await t.db.db
      .selectFrom('one_time_token')
      .select('used_at')
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirstOrThrow();
    expect(row.used_at).toBeNull();
  });

  it('a password-reset token is not accepted as a verification token', async () => {
    const c = await signUp(t);
    await t.app.inject({ method: 'POST', url: '/v1/store/auth/password-reset', payload: { email: c.email } });
    const rst = await tokenFromMail(t, c.email, 'password-reset', 'reset-password');
    const res = await verify(rst);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(await verifiedAt(c.id)).toBeNull();
  });

  it('a missing token, a wrong type or an unknown field → 400 naming the field', async () => {
    const missing = await t.app.inject({ method: 'POST', url: '/v1/store/auth/email-verification', payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { path: string }) => e.path)).toContain('/body/token');
    const extra = await t.app.inject({
      method: 'POST',
      url: '/v1/store/auth/email-verification',
      payload: { token: 'vrf_x', customerId: 'cus_x' },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().errors).toContainEqual({ path: '/body/customerId', message: 'is not a known field' });
  });

  it('re-sending needs a customer session (401 without one)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/store/customers/me/verification-email' });
    expect(res.statusCode).toBe(401);
    const bad = await resend('sess_nope');
    expect(bad.statusCode).toBe(401);
  });
});
