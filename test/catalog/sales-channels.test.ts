import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp();
  owner = (await staffSession(t)).token;
});
afterAll(async () => {
  await t?.close();
});

interface Channel {
  id: string;
  name: string;
  description: string | null;
  isDefault: boolean;
}

const url = '/v1/admin/sales-channels';
const create = (payload: Record<string, unknown>, token = owner) =>
  t.app.inject({ method: 'POST', url, headers: auth(token), payload });
const patch = (id: string, payload: Record<string, unknown>, token = owner) =>
  t.app.inject({ method: 'PATCH', url: `${url}/${id}`, headers: auth(token), payload });
const remove = (id: string, token = owner) =>
  t.app.inject({ method: 'DELETE', url: `${url}/${id}`, headers: auth(token) });
const list = async () =>
  (await t.app.inject({ method: 'GET', url, headers: auth(owner) })).json<{ data: Channel[] }>().data;
const defaults = async () => (await list()).filter((c) => c.isDefault).map((c) => c.id);
const auditActions = async (id: string) =>
  (await t.db.db.selectFrom('audit_log').select('action').where('target_id', '=', id).orderBy('id').execute()).map(
    (r) => r.action,
  );
const unique = (label: string) => `${label} ${Date.now()} ${Math.random().toString(36).slice(2, 7)}`;

describe('sales channels', () => {
  it('ships one default channel, sc_default', async () => {
    expect(await defaults()).toEqual(['sc_default']);
  });

  it('creates, renames and deletes a channel, auditing each change', async () => {
    const res = await create({ name: unique('POS'), description: 'Till in the shop' });
    expect(res.statusCode).toBe(201);
    const channel = res.json<Channel>();
    expect(channel).toMatchObject({ id: expect.stringMatching(/^sc_/), isDefault: false });
    expect(res.headers.location).toBe(`${url}/${channel.id}`);
    const renamed = await patch(channel.id, { name: 'Till', description: null });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json<Channel>()).toMatchObject({ name: 'Till', description: null });
    expect((await remove(channel.id)).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `${url}/${channel.id}`, headers: auth(owner) })).statusCode).toBe(
      404,
    );
    expect(await auditActions(channel.id)).toEqual([
      'sales_channel.created',
      'sales_channel.updated',
      'sales_channel.deleted',
    ]);
  });

  it('moves the default flag in one step; the default cannot be unset or deleted', async () => {
    const next = (await create({ name: unique('App'), isDefault: true })).json<Channel>();
    expect(await defaults()).toEqual([next.id]);
    const unset = await patch(next.id, { isDefault: false });
    expect(unset.statusCode).toBe(409);
    expect(unset.json()).toMatchObject({ code: 'DEFAULT_SALES_CHANNEL' });
    expect((await remove(next.id)).json()).toMatchObject({ code: 'DEFAULT_SALES_CHANNEL' });
    expect((await patch('sc_default', { isDefault: true })).statusCode).toBe(200);
    expect(await defaults()).toEqual(['sc_default']);
  });

  it('refuses a duplicate name (409 naming /body/name), a blank name (400) and an unknown id (404), changing nothing', async () => {
    const name = unique('Market');
    expect((await create({ name })).statusCode).toBe(201);
    const before = await list();
    const dup = await create({ name });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'SALES_CHANNEL_NAME_TAKEN', errors: [{ path: '/body/name' }] });
    const blank = await create({ name: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().errors[0].path).toBe('/body/name');
    expect((await patch('sc_nope', { name: 'x' })).statusCode).toBe(404);
    expect(await list()).toEqual(before);
  });

  it('cannot delete a channel a publishable key selects (409), even after the key is revoked', async () => {
    const channel = (await create({ name: unique('Wholesale') })).json<Channel>();
    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: auth(owner),
      payload: { name: 'wholesale web', kind: 'publishable', salesChannelId: channel.id },
    });
    expect(key.statusCode).toBe(201);
    const refused = await remove(channel.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'SALES_CHANNEL_IN_USE' });
    expect((await list()).map((c) => c.id)).toContain(channel.id);
  });

  it('needs catalog:read to list and catalog:write to change', async () => {
    const reader = (await staffSession(t, await customRole(t, ['catalog:read']))).token;
    expect((await t.app.inject({ method: 'GET', url, headers: auth(reader) })).statusCode).toBe(200);
    const denied = await create({ name: unique('Nope') }, reader);
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ permission: 'catalog:write' });
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
  });
});
