import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { auth, countRows, staffSession } from './staff.helpers.js';

let t: TestApp;
let owner: string;
let channelId: string;
beforeAll(async () => {
  t = await createTestApp();
  owner = (await staffSession(t)).token;
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/admin/sales-channels',
    headers: auth(owner),
    payload: { name: `Mobile app ${Date.now()}` },
  });
  channelId = res.json<{ id: string }>().id;
});
afterAll(async () => {
  await t?.close();
});

interface Key {
  id: string;
  key: string;
  salesChannelId: string | null;
}

const createKey = (payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/v1/admin/api-keys', headers: auth(owner), payload });
const channelOf = (headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: '/v1/store/sales-channel', headers });

describe('publishable keys select a sales channel', () => {
  it('without a key the storefront browses the default channel', async () => {
    const res = await channelOf();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'sc_default' });
  });

  it('a key made for a channel selects it; a key made without one follows the default channel', async () => {
    const pinned = (await createKey({ name: 'app', kind: 'publishable', salesChannelId: channelId })).json<Key>();
    expect(pinned.salesChannelId).toBe(channelId);
    expect((await channelOf({ 'x-publishable-key': pinned.key })).json()).toMatchObject({ id: channelId });
    const plain = (await createKey({ name: 'web', kind: 'publishable' })).json<Key>();
    expect(plain.salesChannelId).toBeNull();
    expect((await channelOf({ 'x-publishable-key': plain.key })).json()).toMatchObject({ id: 'sc_default' });
    // Moving the default moves the unpinned key with it.
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/sales-channels/${channelId}`,
      headers: auth(owner),
      payload: { isDefault: true },
    });
    expect((await channelOf({ 'x-publishable-key': plain.key })).json()).toMatchObject({ id: channelId });
    await t.app.inject({
      method: 'PATCH',
      url: '/v1/admin/sales-channels/sc_default',
      headers: auth(owner),
      payload: { isDefault: true },
    });
  });

  it('works alongside a customer session, and a publishable key is not a bearer credential', async () => {
    const pk = (await createKey({ name: 'web2', kind: 'publishable', salesChannelId: channelId })).json<Key>();
    const asBearer = await t.app.inject({ method: 'GET', url: '/v1/admin/audit-log', headers: auth(pk.key) });
    expect(asBearer.statusCode).toBe(401);
    const both = await channelOf({ 'x-publishable-key': pk.key, ...auth(owner) });
    expect(both.json()).toMatchObject({ id: channelId });
  });

  it('an unknown, malformed, revoked or expired key answers 401 INVALID_PUBLISHABLE_KEY at once', async () => {
    const pk = (await createKey({ name: 'soon revoked', kind: 'publishable' })).json<Key>();
    expect((await channelOf({ 'x-publishable-key': pk.key })).statusCode).toBe(200);
    await t.app.inject({ method: 'DELETE', url: `/v1/admin/api-keys/${pk.id}`, headers: auth(owner) });
    const expiring = (await createKey({ name: 'expiring', kind: 'publishable' })).json<Key>();
    await t.db.db
      .updateTable('api_key')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expiring.id)
      .execute();
    const secret = (await createKey({ name: 'secret', kind: 'secret', permissions: ['catalog:read'] })).json<Key>();
    for (const key of [pk.key, expiring.key, 'pk_unknown', 'garbage', secret.key]) {
      const res = await channelOf({ 'x-publishable-key': key });
      expect(res.statusCode, key).toBe(401);
      expect(res.json()).toMatchObject({ code: 'INVALID_PUBLISHABLE_KEY' });
    }
  });

  it('refuses a channel on a secret key (400) and an unknown channel (404 naming the field), writing nothing', async () => {
    const before = [await countRows(t, 'api_key'), await countRows(t, 'audit_log')];
    const onSecret = await createKey({
      name: 's',
      kind: 'secret',
      permissions: ['catalog:read'],
      salesChannelId: channelId,
    });
    expect(onSecret.statusCode).toBe(400);
    expect(onSecret.json().errors[0].path).toBe('/body/salesChannelId');
    const unknown = await createKey({ name: 'p', kind: 'publishable', salesChannelId: 'sc_nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().errors[0].path).toBe('/body/salesChannelId');
    expect([await countRows(t, 'api_key'), await countRows(t, 'audit_log')]).toEqual(before);
  });

  it('lists the pinned channel of each publishable key, none for secret keys', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/admin/api-keys?limit=100', headers: auth(owner) });
    const keys = res.json<{ data: (Key & { kind: string })[] }>().data;
    expect(keys.some((k) => k.kind === 'publishable' && k.salesChannelId === channelId)).toBe(true);
    for (const k of keys.filter((k) => k.kind === 'secret')) expect(k.salesChannelId).toBeNull();
  });
});
