import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { auth, countRows, customRole, staffSession } from './staff.helpers.js';

/** The stock-alert opt-in: on the own profile (`/v1/admin/staff/me`) and through staff administration. */

let t: TestApp;
let owner: { id: string; token: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await staffSession(t);
});
afterAll(async () => {
  await t?.close();
});

const me = (token: string) => t.app.inject({ method: 'GET', url: '/v1/admin/staff/me', headers: auth(token) });
const patchMe = (token: string | undefined, payload: unknown) =>
  t.app.inject({
    method: 'PATCH',
    url: '/v1/admin/staff/me',
    headers: token ? auth(token) : {},
    payload: payload as Record<string, unknown>,
  });
const patchStaff = (id: string, payload: Record<string, unknown>, token = owner.token) =>
  t.app.inject({ method: 'PATCH', url: `/v1/admin/staff/${id}`, headers: auth(token), payload });
const optedIn = async (id: string) =>
  (await t.db.db.selectFrom('staff_user').select('stock_alerts').where('id', '=', id).executeTakeFirstOrThrow())
    .stock_alerts;
const audits = (id: string) =>
  t.db.db
    .selectFrom('audit_log')
    .select(['action', 'actor_id', 'changes'])
    .where('target_id', '=', id)
    .orderBy('id')
    .execute();
const changesOf = (c: unknown) => (typeof c === 'string' ? JSON.parse(c) : c);

describe('own profile', () => {
  it('is off by default, turns on and off, shows in GET /me, and audits each real change once', async () => {
    const lead = await staffSession(t, 'role_catalog_manager');
    expect((await me(lead.token)).json()).toMatchObject({ id: lead.id, stockAlerts: false });

    const on = await patchMe(lead.token, { stockAlerts: true });
    expect(on.statusCode).toBe(200);
    expect(on.json()).toMatchObject({ id: lead.id, role: { id: 'role_catalog_manager' }, stockAlerts: true });
    expect((await me(lead.token)).json()).toMatchObject({ stockAlerts: true });
    expect(await optedIn(lead.id)).toBe(true);

    // The same value again changes nothing and records nothing.
    expect((await patchMe(lead.token, { stockAlerts: true })).statusCode).toBe(200);
    expect((await patchMe(lead.token, { stockAlerts: false })).json()).toMatchObject({ stockAlerts: false });
    const rows = (await audits(lead.id)).filter((r) => r.action !== 'staff.created');
    expect(rows.map((r) => r.action)).toEqual(['staff.profile_updated', 'staff.profile_updated']);
    expect(rows.every((r) => r.actor_id === lead.id)).toBe(true);
    expect(rows.map((r) => changesOf(r.changes))).toEqual([
      { stockAlerts: { from: false, to: true } },
      { stockAlerts: { from: true, to: false } },
    ]);
  });

  it('works for a role without inventory:read too (the email waits for the permission)', async () => {
    const support = await staffSession(t, 'role_support');
    expect((await patchMe(support.token, { stockAlerts: true })).json()).toMatchObject({ stockAlerts: true });
    expect(await optedIn(support.id)).toBe(true);
  });

  it('refuses bad bodies with 400 naming the field, and changes nothing', async () => {
    const lead = await staffSession(t, 'role_catalog_manager');
    const before = await countRows(t, 'audit_log');
    const cases: [unknown, string][] = [
      [{ stockAlerts: 'yes' }, '/body/stockAlerts'],
      [{ stockAlerts: 1 }, '/body/stockAlerts'],
      [{ stockAlerts: null }, '/body/stockAlerts'],
      [{}, 'stockAlerts'],
      [{ stockAlerts: true, name: 'Eve' }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await patchMe(lead.token, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(res.json().errors), JSON.stringify(body)).toContain(field);
    }
    expect(await optedIn(lead.id)).toBe(false);
    expect(await countRows(t, 'audit_log')).toBe(before);
  });

  it('needs a staff session: 401 without credentials, 403 for a secret API key', async () => {
    expect((await patchMe(undefined, { stockAlerts: true })).statusCode).toBe(401);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: auth(owner.token),
      payload: { name: 'erp', kind: 'secret', permissions: ['staff:manage', 'staff:read'] },
    });
    expect(created.statusCode).toBe(201);
    const res = await patchMe(created.json<{ key: string }>().key, { stockAlerts: true });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'PERMISSION_DENIED' });
  });
});

describe('staff administration', () => {
  it('an owner subscribes a member through PATCH /v1/admin/staff/{id}: shown in the list and detail, audited', async () => {
    const picker = await staffSession(t, 'role_fulfilment');
    const res = await patchStaff(picker.id, { stockAlerts: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: picker.id, stockAlerts: true });
    const detail = await t.app.inject({
      method: 'GET',
      url: `/v1/admin/staff/${picker.id}`,
      headers: auth(owner.token),
    });
    expect(detail.json()).toMatchObject({ stockAlerts: true });
    const list = await t.app.inject({ method: 'GET', url: '/v1/admin/staff?limit=100', headers: auth(owner.token) });
    const listed = list.json<{ data: { id: string; stockAlerts: boolean }[] }>().data;
    expect(listed.find((m) => m.id === picker.id)).toMatchObject({ stockAlerts: true });
    expect(listed.find((m) => m.id === owner.id)).toMatchObject({ stockAlerts: false });
    const rows = await audits(picker.id);
    expect(rows.at(-1)).toMatchObject({ action: 'staff.updated', actor_id: owner.id });
    expect(changesOf(rows.at(-1)?.changes)).toEqual({ stockAlerts: { from: false, to: true } });
    expect((await me(picker.token)).json()).toMatchObject({ stockAlerts: true });
  });

  it('refuses a non-boolean with 400 naming /body/stockAlerts', async () => {
    const picker = await staffSession(t, 'role_fulfilment');
    const res = await patchStaff(picker.id, { stockAlerts: 'on' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ errors: [{ path: '/body/stockAlerts' }] });
    expect(await optedIn(picker.id)).toBe(false);
  });

  it('keeps the anti-escalation rules: a staff manager cannot subscribe a member with permissions it lacks', async () => {
    const manager = await staffSession(t, await customRole(t, ['staff:manage', 'staff:read']));
    const lead = await staffSession(t, 'role_catalog_manager');
    const before = await countRows(t, 'audit_log');
    const res = await patchStaff(lead.id, { stockAlerts: true }, manager.token);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(await optedIn(lead.id)).toBe(false);
    expect(await countRows(t, 'audit_log')).toBe(before);
  });
});
