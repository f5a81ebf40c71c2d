import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/modules/identity/tokens.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { goodPassword, login, me, otherPassword, signUp, uniqueEmail } from './customers.helpers.js';
import { countTokens, queuedMails, tokenFromMail } from './customers.mail.helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { STOREFRONT_URL: 'https://shop.example.com', SHOP_NAME: 'Test Shop' } });
});
afterAll(async () => {
  await t.close();
});

const requestReset = (email: string) =>
  t.app.inject({ method: 'POST', url: '/v1/store/auth/password-reset', payload: { email } });
const confirm = (payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/v1/store/auth/password-reset/confirm', payload });
const hashOf = async (id: string) =>
  (await t.db.db.selectFrom('customer').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow())
    .password_hash;
const auditCount = async (id: string) =>
  Number(
    (
      await t.db.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('target_id', '=', id)
        .where('action', '=', 'customer.password_reset')
        .executeTakeFirstOrThrow()
    ).n,
  );

async function resetToken(email: string) {
  expect((await requestReset(email)).statusCode).toBe(202);
  return tokenFromMail(t, email, 'password-reset', 'reset-password');
}

describe('password reset', () => {
  it('emails a 30-minute link, sets the new password, ends every session and writes an audit row', async () => {
    const c = await signUp(t);
    const second = await login(t, c.email, c.password);
    expect(second.statusCode).toBe(201);
    const before = Date.now();
    const token = await resetToken(c.email);
    const [mail] = await queuedMails(t, c.email, 'password-reset');
    expect(mail?.subject).toBe('Reset your Test Shop password');
    expect(mail?.body).toContain('https://shop.example.com/reset-password?token=rst_');
    const row = await t.db.db
      .selectFrom('one_time_token')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirstOrThrow();
    expect(row.purpose).toBe('password_reset');
    const ttl = row.expires_at.getTime() - before;
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThan(31 * 60_000);

    const res = await confirm({ token, password: otherPassword });
    expect(res.statusCode).toBe(204);
    expect((await me(t, c.token)).statusCode).toBe(401);
    expect((await me(t, second.json().token)).statusCode).toBe(401);
    expect((await login(t, c.email, c.password)).statusCode).toBe(401);
    expect((await login(t, c.email, otherPassword)).statusCode).toBe(201);
    expect(await auditCount(c.id)).toBe(1);
  });

  it('answers an unknown email exactly like a known one, and sends nothing', async () => {
    const c = await signUp(t);
    const tokens = await countTokens(t);
    const unknown = uniqueEmail('ghost');
    const a = await requestReset(unknown);
    expect(await countTokens(t)).toBe(tokens);
    const b = await requestReset(c.email);
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(a.body).toBe(b.body);
    expect(a.headers['content-type']).toBe(b.headers['content-type']);
    expect(await queuedMails(t, unknown, 'password-reset')).toHaveLength(0);
    expect(await queuedMails(t, c.email, 'password-reset')).toHaveLength(1);
  });

  it('stores only the hash of the reset token', async () => {
    const c = await signUp(t);
    const token = await resetToken(c.email);
    const rows = await t.db.db
      .selectFrom('one_time_token')
      .selectAll()
      .where('subject_id', '=', c.id)
      .where('purpose', '=', 'password_reset')
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});

describe('password reset errors', () => {
  it('a used token → 400 INVALID_TOKEN; the second password is not set', async () => {
    const c = await signUp(t);
    const token = await resetToken(c.email);
    expect((await confirm({ token, password: otherPassword })).statusCode).toBe(204);
    const hash = await hashOf(c.id);
    const again = await confirm({ token, password: goodPassword });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(await hashOf(c.id)).toBe(hash);
    expect(await auditCount(c.id)).toBe(1);
  });

  it('an unknown, expired or verification token → 400 INVALID_TOKEN; password and sessions unchanged', async () => {
    const c = await signUp(t);
    const hash = await hashOf(c.id);
    const token = await resetToken(c.email);
    await t.db.db
      .updateTable('one_time_token')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('token_hash', '=', hashToken(token))
      .execute();
    const vrf = await tokenFromMail(t, c.email, 'email-verification', 'verify-email');
    for (const bad of ['rst_unknown', token, vrf]) {
      const res = await confirm({ token: bad, password: otherPassword });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    }
    expect(await hashOf(c.id)).toBe(hash);
    expect((await me(t, c.token)).statusCode).toBe(200);
    expect(await auditCount(c.id)).toBe(0);
  });

  it('a password that fails the policy → 400 naming /body/password, and the token stays usable', async () => {
    const c = await signUp(t);
    const token = await resetToken(c.email);
    const weak = await confirm({ token, password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors.map((e: { path: string }) => e.path)).toContain('/body/password');
    expect((await me(t, c.token)).statusCode).toBe(200);
    expect((await confirm({ token, password: otherPassword })).statusCode).toBe(204);
  });

  it('malformed bodies → 400 naming the field', async () => {
    const badEmail = await requestReset('not-an-email');
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json().errors.map((e: { path: string }) => e.path)).toContain('/body/email');
    const extra = await t.app.inject({
      method: 'POST',
      url: '/v1/store/auth/password-reset',
      payload: { email: uniqueEmail(), redirect: 'https://evil.example' },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().errors).toContainEqual({ path: '/body/redirect', message: 'is not a known field' });
    const missing = await confirm({});
    expect(missing.statusCode).toBe(400);
    const paths = missing.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/body/token', '/body/password']));
  });
});
