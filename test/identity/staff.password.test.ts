import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff } from '../../src/modules/identity/index.js';
import { totpCode } from '../../src/modules/identity/totp.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { goodPassword, otherPassword, signUp } from './customers.helpers.js';
import { queuedMails, tokenFromMail } from './customers.mail.helpers.js';
import { auth, staffEmail, staffLogin, staffPassword, staffSession } from './staff.helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { ADMIN_URL: 'https://admin.example.com', SHOP_NAME: 'Test Shop' } });
});
afterAll(async () => {
  await t?.close();
});

const newPassword = 'cobalt-lantern-fjord-42';
const me = (token: string) => t.app.inject({ method: 'GET', url: '/v1/admin/staff/me', headers: auth(token) });
const change = (token: string, currentPassword: string, next = newPassword, remoteAddress = '10.60.0.1') =>
  t.app.inject({
    method: 'POST',
    url: '/v1/admin/staff/me/password',
    headers: auth(token),
    remoteAddress,
    payload: { currentPassword, newPassword: next },
  });
const requestReset = (email: string) =>
  t.app.inject({ method: 'POST', url: '/v1/admin/auth/password-reset', payload: { email } });
const confirm = (token: string, password = newPassword) =>
  t.app.inject({ method: 'POST', url: '/v1/admin/auth/password-reset/confirm', payload: { token, password } });
const auditActions = async (id: string) =>
  (await t.db.db.selectFrom('audit_log').select('action').where('target_id', '=', id).orderBy('id').execute()).map(
    (r) => r.action,
  );

describe('staff password change', () => {
  it('needs the current password, ends the other sessions and keeps this one', async () => {
    const s = await staffSession(t, 'role_support');
    const other = (await staffLogin(t, s.email, staffPassword)).json<{ token: string }>().token;
    expect((await change(s.token, staffPassword)).statusCode).toBe(204);
    expect((await me(s.token)).statusCode).toBe(200);
    expect((await me(other)).statusCode).toBe(401);
    expect((await staffLogin(t, s.email, staffPassword)).statusCode).toBe(401);
    expect((await staffLogin(t, s.email, newPassword)).statusCode).toBe(201);
    expect(await auditActions(s.id)).toContain('staff.password_changed');
  });

  it('refuses a wrong current password (422) and a weak new one (400), changing nothing; guesses lock the account', async () => {
    const s = await staffSession(t, 'role_support');
    const weak = await change(s.token, staffPassword, 'password1');
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors).toEqual([{ path: '/body/newPassword', message: expect.any(String) }]);
    for (let i = 0; i < 6; i++) {
      const res = await change(s.token, `wrong ${i}`, newPassword, '10.60.0.2');
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'CURRENT_PASSWORD_INCORRECT' });
    }
    expect((await change(s.token, staffPassword, newPassword, '10.60.0.2')).statusCode).toBe(429);
    expect(await auditActions(s.id)).not.toContain('staff.password_changed');
  });

  it('needs a staff session', async () => {
    const customer = await signUp(t);
    expect((await change(customer.token, goodPassword)).statusCode).toBe(403);
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/staff/me/password',
      payload: { currentPassword: staffPassword, newPassword },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('staff password reset', () => {
  it('emails a 30-minute link to the admin app; the token works once and ends every session', async () => {
    const s = await staffSession(t, 'role_fulfilment');
    expect((await requestReset(s.email.toUpperCase())).statusCode).toBe(202);
    const mails = await queuedMails(t, s.email, 'staff-password-reset');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain('Test Shop');
    expect(mails[0]?.body).toContain('https://admin.example.com/reset-password?token=');
    const token = await tokenFromMail(t, s.email, 'staff-password-reset', 'reset-password');
    expect((await confirm(token)).statusCode).toBe(204);
    expect((await me(s.token)).statusCode).toBe(401);
    expect((await staffLogin(t, s.email, newPassword)).statusCode).toBe(201);
    const again = await confirm(token, otherPassword);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(await auditActions(s.id)).toContain('staff.password_reset');
  });

  it('answers 202 alike for an unknown email, an invited and a disabled member, and sends nothing', async () => {
    const disabled = staffEmail('disabled');
    const { id } = await createStaff(t.db.db, { email: disabled, password: staffPassword, roleId: 'role_support' });
    await t.db.db.updateTable('staff_user').set({ status: 'disabled' }).where('id', '=', id).execute();
    const unknown = staffEmail('nobody');
    const answers = await Promise.all([requestReset(unknown), requestReset(disabled)]);
    expect(answers.map((r) => [r.statusCode, r.body])).toEqual([
      [202, answers[0]?.body],
      [202, answers[0]?.body],
    ]);
    expect(await queuedMails(t, unknown, 'staff-password-reset')).toEqual([]);
    expect(await queuedMails(t, disabled, 'staff-password-reset')).toEqual([]);
  });

  it('a customer reset token does not work for staff (and the reverse), and a weak password keeps the token usable', async () => {
    const customer = await signUp(t);
    await t.app.inject({ method: 'POST', url: '/v1/store/auth/password-reset', payload: { email: customer.email } });
    const customerToken = await tokenFromMail(t, customer.email, 'password-reset', 'reset-password');
    expect((await confirm(customerToken)).statusCode).toBe(400);
    const s = await staffSession(t, 'role_support');
    await requestReset(s.email);
    const staffToken = await tokenFromMail(t, s.email, 'staff-password-reset', 'reset-password');
    const onStore = await t.app.inject({
      method: 'POST',
      url: '/v1/store/auth/password-reset/confirm',
      payload: { token: staffToken, password: newPassword },
    });
    expect(onStore.statusCode).toBe(400);
    expect((await confirm(staffToken, 'short')).statusCode).toBe(400);
    // Neither refusal consumed a token.
    expect((await confirm(staffToken)).statusCode).toBe(204);
    const onStoreCustomer = await t.app.inject({
      method: 'POST',
      url: '/v1/store/auth/password-reset/confirm',
      payload: { token: customerToken, password: newPassword },
    });
    expect(onStoreCustomer.statusCode).toBe(204);
  });

  it('does not bypass MFA: after a reset the login still needs a code', async () => {
    const s = await staffSession(t, 'role_owner');
    if (!s.mfaSecret) throw new Error('owner session should have enrolled MFA');
    await requestReset(s.email);
    const token = await tokenFromMail(t, s.email, 'staff-password-reset', 'reset-password');
    expect((await confirm(token)).statusCode).toBe(204);
    const noCode = await staffLogin(t, s.email, newPassword);
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json()).toMatchObject({ code: 'MFA_REQUIRED' });
    const withCode = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/auth/sessions',
      payload: { email: s.email, password: newPassword, code: totpCode(s.mfaSecret, Date.now() + 30_000) },
    });
    expect(withCode.statusCode).toBe(201);
  });
});
