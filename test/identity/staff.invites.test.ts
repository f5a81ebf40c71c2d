import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/modules/identity/tokens.js';
import { sendNotification } from '../../src/platform/notifications/notifications.js';
import { MemoryTransport } from '../../src/platform/notifications/transport.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { countTokens, queuedMails } from './customers.mail.helpers.js';
import { auth, countRows, staffEmail, staffLogin, staffPassword, staffSession } from './staff.helpers.js';

let t: TestApp;
let owner: string;
const mail = new MemoryTransport();
beforeAll(async () => {
  t = await createTestApp({ env: { ADMIN_URL: 'https://admin.shop.example/', SHOP_NAME: 'Test Shop' } });
  owner = (await staffSession(t)).token;
});
afterAll(async () => {
  await t?.close();
});

interface Invitation {
  staff: { id: string; email: string; status: string; role: { id: string }; invitedBy: string | null };
  inviteExpiresAt: string;
}

const invite = (payload: Record<string, unknown>, token = owner) =>
  t.app.inject({ method: 'POST', url: '/v1/admin/staff/invites', headers: auth(token), payload });
const resend = (id: string, token = owner) =>
  t.app.inject({ method: 'POST', url: `/v1/admin/staff/${id}/invite`, headers: auth(token) });
const accept = (payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/v1/admin/staff/invites/accept', payload });
const me = (token: string) => t.app.inject({ method: 'GET', url: '/v1/admin/staff/me', headers: auth(token) });
const patch = (id: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PATCH', url: `/v1/admin/staff/${id}`, headers: auth(owner), payload });
const status = async (id: string) =>
  (await t.db.db.selectFrom('staff_user').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
const actions = async (id: string) =>
  (await t.db.db.selectFrom('audit_log').select('action').where('target_id', '=', id).orderBy('at').execute()).map(
    (r) => r.action,
  );
const counts = async () => [
  await countRows(t, 'staff_user'),
  await countRows(t, 'audit_log'),
  await countRows(t, 'auth_session'),
  await countTokens(t),
];

/** Delivers every queued mail to `to` through the memory transport; returns the newest invite token. */
async function deliver(to: string): Promise<string> {
  for (const n of await queuedMails(t, to, 'staff-invite')) {
    if (n.status === 'queued') await sendNotification(t.db.db, mail, n.id);
  }
  const body = mail.sent.filter((m) => m.to === to).at(-1)?.body ?? '';
  const m = /accept-invite\?token=(\S+)/.exec(body);
  if (!m?.[1]) throw new Error(`no invite link in ${JSON.stringify(body)}`);
  return decodeURIComponent(m[1]);
}

async function invited(roleId = 'role_support') {
  const email = staffEmail('invitee');
  const res = await invite({ email, roleId });
  expect(res.statusCode).toBe(201);
  const { staff } = res.json<Invitation>();
  return { id: staff.id, email, token: await deliver(email) };
}

describe('inviting and accepting', () => {
  it('invites (201), emails a link, and accepting signs the member in as active with audit rows', async () => {
    const email = staffEmail('new');
    const before = Date.now();
    const res = await invite({ email, name: 'Nia', roleId: 'role_support' });
    expect(res.statusCode).toBe(201);
    const body = res.json<Invitation>();
    expect(res.headers.location).toBe(`/v1/admin/staff/${body.staff.id}`);
    expect(body.staff).toMatchObject({ email, status: 'invited', role: { id: 'role_support' } });
    expect(body.staff.invitedBy).toEqual(expect.any(String));
    const ttl = new Date(body.inviteExpiresAt).getTime() - before;
    expect(ttl).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(ttl).toBeLessThan(7 * 86_400_000 + 60_000);
    expect((await staffLogin(t, email, staffPassword)).statusCode).toBe(401);

    const token = await deliver(email);
    expect(token).toMatch(/^inv_/);
    const sent = mail.sent.find((m) => m.to === email);
    expect(sent?.subject).toBe('You are invited to manage Test Shop');
    expect(sent?.body).toContain('https://admin.shop.example/accept-invite?token=inv_');
    expect(sent?.body).toContain('support');

    const ok = await accept({ token, password: staffPassword });
    expect(ok.statusCode).toBe(201);
    expect(ok.headers['cache-control']).toBe('no-store');
    const session = ok.json<{ staffId: string; token: string }>();
    expect(session.staffId).toBe(body.staff.id);
    const profile = await me(session.token);
    expect(profile.statusCode).toBe(200);
    expect(profile.json()).toMatchObject({ id: body.staff.id, email, name: 'Nia', role: { id: 'role_support' } });
    expect(await status(body.staff.id)).toBe('active');
    expect(await actions(body.staff.id)).toEqual(['staff.invited', 'staff.invite_accepted']);
    expect((await staffLogin(t, email, staffPassword)).statusCode).toBe(201);
  });

  it('sets the name given on accept', async () => {
    const inv = await invited();
    const ok = await accept({ token: inv.token, password: staffPassword, name: 'Ola' });
    expect((await me(ok.json<{ token: string }>().token)).json()).toMatchObject({ name: 'Ola' });
  });

  it('never keeps the plain token: not in the audit log, the sent notification row or the logs', async () => {
    const inv = await invited();
    await accept({ token: inv.token, password: staffPassword });
    const audit = await t.db.db.selectFrom('audit_log').selectAll().where('target_id', '=', inv.id).execute();
    expect(JSON.stringify(audit)).not.toContain(inv.token);
    const rows = await queuedMails(t, inv.email, 'staff-invite');
    expect(rows.map((r) => [r.status, r.body])).toEqual([['sent', null]]);
    const stored = await t.db.db
      .selectFrom('one_time_token')
      .selectAll()
      .where('token_hash', '=', hashToken(inv.token))
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(inv.token);
    expect(stored.used_at).not.toBeNull();
    const raw = t.logs.raw.join('\n');
    expect(raw).not.toContain(inv.token);
    expect(raw).not.toContain(staffPassword);
  });
});

describe('invalid invite tokens', () => {
  it('is single use: a second accept gets 400 INVALID_TOKEN and changes nothing', async () => {
    const inv = await invited();
    expect((await accept({ token: inv.token, password: staffPassword })).statusCode).toBe(201);
    const before = await counts();
    const again = await accept({ token: inv.token, password: 'another-strong-pass-42' });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(await counts()).toEqual(before);
    expect((await staffLogin(t, inv.email, 'another-strong-pass-42')).statusCode).toBe(401);
  });

  it('refuses a weak password with 400 naming /body/password without consuming the token', async () => {
    const inv = await invited();
    const before = await counts();
    const weak = await accept({ token: inv.token, password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toEqual(['/body/password']);
    expect(await counts()).toEqual(before);
    expect(await status(inv.id)).toBe('invited');
    expect((await accept({ token: inv.token, password: staffPassword })).statusCode).toBe(201);
  });

  it('refuses an expired token with 400 and leaves the member invited', async () => {
    const inv = await invited();
    await t.db.db
      .updateTable('one_time_token')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('token_hash', '=', hashToken(inv.token))
      .execute();
    const before = await counts();
    const res = await accept({ token: inv.token, password: staffPassword });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(await counts()).toEqual(before);
    expect(await status(inv.id)).toBe('invited');
  });

  it('refuses unknown tokens and tokens of another purpose', async () => {
    const before = await counts();
    for (const token of ['inv_nope', 'rst_whatever', 'x']) {
      const res = await accept({ token, password: staffPassword });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    }
    expect(await counts()).toEqual(before);
  });

  it('resending (200) invalidates the earlier link; the new one works', async () => {
    const inv = await invited();
    const res = await resend(inv.id);
    expect(res.statusCode).toBe(200);
    expect(res.json<Invitation>().staff).toMatchObject({ id: inv.id, status: 'invited' });
    const fresh = await deliver(inv.email);
    expect(fresh).not.toBe(inv.token);
    const old = await accept({ token: inv.token, password: staffPassword });
    expect(old.statusCode).toBe(400);
    expect(old.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect((await accept({ token: fresh, password: staffPassword })).statusCode).toBe(201);
    expect(await actions(inv.id)).toEqual(['staff.invited', 'staff.invite_resent', 'staff.invite_accepted']);
  });

  it('refuses to resend to an active member (409 NOT_INVITED) or an unknown id (404), sending nothing', async () => {
    const active = await staffSession(t, 'role_support');
    const before = await counts();
    const res = await resend(active.id);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'NOT_INVITED' });
    expect((await resend('staff_unknown')).statusCode).toBe(404);
    expect(await counts()).toEqual(before);
    expect(await queuedMails(t, active.email, 'staff-invite')).toHaveLength(0);
  });

  it('makes the link fail once the invited member is disabled', async () => {
    const inv = await invited();
    const disabled = await patch(inv.id, { status: 'disabled' });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ status: 'disabled' });
    const res = await accept({ token: inv.token, password: staffPassword });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(await status(inv.id)).toBe('disabled');
    expect((await staffLogin(t, inv.email, staffPassword)).statusCode).toBe(401);
    const before = await counts();
    const enable = await patch(inv.id, { status: 'active' });
    expect(enable.statusCode).toBe(409);
    expect(enable.json()).toMatchObject({ code: 'INVITE_NOT_ACCEPTED' });
    expect(await counts()).toEqual(before);
    expect(await status(inv.id)).toBe('disabled');
    // Re-inviting revives a member who never accepted: a fresh link works, the old one stays dead.
    const revived = await resend(inv.id);
    expect(revived.statusCode, revived.body).toBe(200);
    expect(await status(inv.id)).toBe('invited');
    expect((await accept({ token: inv.token, password: staffPassword })).statusCode).toBe(400);
    const fresh = await deliver(inv.email);
    expect((await accept({ token: fresh, password: staffPassword })).statusCode).toBe(201);
    expect(await status(inv.id)).toBe('active');
  });

  it('lets exactly one of two concurrent accepts of the same token win', async () => {
    const inv = await invited();
    const sessions = await countRows(t, 'auth_session');
    const results = await Promise.all([
      accept({ token: inv.token, password: staffPassword }),
      accept({ token: inv.token, password: 'another-strong-pass-42' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 400]);
    expect(await countRows(t, 'auth_session')).toBe(sessions + 1);
    expect((await actions(inv.id)).filter((a) => a === 'staff.invite_accepted')).toHaveLength(1);
  });
});

describe('invitation refusals', () => {
  it('refuses an email taken in another case with 409 EMAIL_TAKEN, writing and sending nothing', async () => {
    const inv = await invited();
    const before = await counts();
    const res = await invite({ email: `  ${inv.email.toUpperCase()} `, roleId: 'role_support' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'EMAIL_TAKEN', errors: [{ path: '/body/email' }] });
    expect(await counts()).toEqual(before);
    expect(await queuedMails(t, inv.email, 'staff-invite')).toHaveLength(1);
  });

  it('refuses an unknown role (404 naming /body/roleId), a malformed email and unknown fields (400)', async () => {
    const before = await counts();
    const email = staffEmail('bad');
    const unknown = await invite({ email, roleId: 'role_nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toEqual(['/body/roleId']);
    for (const payload of [
      { email: 'not-an-email', roleId: 'role_support' },
      { email: 'a b@c.de', roleId: 'role_support' },
      { email },
      { email, roleId: 'role_support', status: 'active' },
    ]) {
      expect((await invite(payload)).statusCode).toBe(400);
    }
    expect(await counts()).toEqual(before);
    expect(await queuedMails(t, email, 'staff-invite')).toHaveLength(0);
  });

  it('refuses anonymous callers (401) and staff without staff:manage (403), writing nothing', async () => {
    const ro = await staffSession(t, 'role_read_only');
    const before = await counts();
    const anon = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/staff/invites',
      payload: { email: staffEmail(), roleId: 'role_support' },
    });
    expect(anon.statusCode).toBe(401);
    const denied = await invite({ email: staffEmail(), roleId: 'role_support' }, ro.token);
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'staff:manage' });
    expect(await counts()).toEqual(before);
  });
});
