import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/platform/crypto/secret-box.js';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { call, createEndpoint, insertDelivery, snapshot } from './endpoints.helpers.js';

/** Webhook endpoints over HTTP, with private URLs allowed (the receivers of tests live on 127.0.0.1). */

const box = createSecretBox(randomBytes(32));
let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp({ env: { WEBHOOKS_ALLOW_PRIVATE_URLS: 'true' }, secretBox: box });
  owner = (await staffSession(t)).token;
});
afterAll(async () => {
  await t?.close();
});

const endpointRow = (id: string) =>
  t.db.db.selectFrom('webhook_endpoint').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditOf = (id: string) =>
  t.db.db.selectFrom('audit_log').select(['action', 'changes']).where('target_id', '=', id).orderBy('id').execute();

/** A message signed with `secret`, as a delivery would be, verified by a consumer holding `secret`. */
function verifies(secret: string): boolean {
  const id = 'evt_probe';
  const at = new Date();
  const payload = '{"type":"ping"}';
  const signature = new Webhook(secret).sign(id, at, payload);
  const headers = {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
  new Webhook(secret).verify(payload, headers);
  return true;
}

describe('webhook endpoints', () => {
  it('creates an endpoint with a Standard Webhooks secret shown once and stored only sealed', async () => {
    const res = await call(t, owner, 'POST', '/v1/admin/webhook-endpoints', {
      url: 'http://127.0.0.1:4000/hooks',
      description: 'ERP',
      eventTypes: ['order.placed', 'product.created', 'order.placed'],
    });
    expect(res.statusCode).toBe(201);
    const created = res.json<Record<string, unknown> & { id: string; secret: string }>();
    expect(created).toMatchObject({
      url: 'http://127.0.0.1:4000/hooks',
      description: 'ERP',
      eventTypes: ['order.placed', 'product.created'],
      enabled: true,
      disabledReason: null,
      previousSecretExpiresAt: null,
      pendingDeliveries: 0,
      failedDeliveries: 0,
      version: 1,
    });
    expect(created.id).toMatch(/^whep_/);
    expect(res.headers.location).toBe(`/v1/admin/webhook-endpoints/${created.id}`);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    expect(verifies(created.secret)).toBe(true);

    const row = await endpointRow(created.id);
    expect(row.secret_sealed).not.toContain(created.secret.slice(6));
    expect(box.open(row.secret_sealed, created.id)).toBe(created.secret);
    // Bound to its row: the sealed value does not open as another endpoint's.
    expect(() => box.open(row.secret_sealed, 'whep_other')).toThrow();

    const read = await call(t, owner, 'GET', `/v1/admin/webhook-endpoints/${created.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).not.toHaveProperty('secret');
    expect(read.body).not.toContain(created.secret.slice(6));
    expect(read.headers.etag).toBe('"1"');
    const list = await call(t, owner, 'GET', '/v1/admin/webhook-endpoints');
    expect(list.body).not.toContain(created.secret.slice(6));

    const audit = await auditOf(created.id);
    expect(audit.map((a) => a.action)).toEqual(['webhook_endpoint.created']);
    expect(JSON.stringify(audit)).not.toContain(created.secret.slice(6));
    expect(JSON.stringify(t.logs.lines)).not.toContain(created.secret.slice(6));
  });

  it('creates an endpoint disabled when asked (reason manual) and accepts `*`', async () => {
    const ep = await createEndpoint(t, owner, { enabled: false, eventTypes: ['*', '*'] });
    expect(ep).toMatchObject({ enabled: false, disabledReason: 'manual', eventTypes: ['*'] });
    expect((await endpointRow(ep.id)).disabled_at).toBeInstanceOf(Date);
  });

  it('lists endpoints newest first, a cursor pages, and counts pending and failed deliveries', async () => {
    const a = await createEndpoint(t, owner);
    const b = await createEndpoint(t, owner);
    await insertDelivery(t, b.id, { status: 'pending' });
    await insertDelivery(t, b.id, { status: 'pending' });
    await insertDelivery(t, b.id, { status: 'failed' });
    await insertDelivery(t, b.id, { status: 'delivered' });
    const first = await call(t, owner, 'GET', '/v1/admin/webhook-endpoints?limit=1');
    expect(first.statusCode).toBe(200);
    const page = first.json<{
      data: { id: string; pendingDeliveries: number; failedDeliveries: number }[];
      nextCursor: string;
    }>();
    expect(page.data.map((e) => e.id)).toEqual([b.id]);
    expect(page.data[0]).toMatchObject({ pendingDeliveries: 2, failedDeliveries: 1 });
    const second = await call(t, owner, 'GET', `/v1/admin/webhook-endpoints?limit=1&cursor=${page.nextCursor}`);
    expect(second.json<{ data: { id: string }[] }>().data.map((e) => e.id)).toEqual([a.id]);
  });

  it('stops counting deliveries at 1000, however many are queued', async () => {
    const ep = await createEndpoint(t, owner);
    await sql`insert into webhook_event (id, type, resource_id, sequence, body, occurred_at)
              select 'evt_cap_' || g, 'order.placed', 'ord_cap', g, '{}', now() from generate_series(1, 1001) g`.execute(
      t.db.db,
    );
    await sql`insert into webhook_delivery (id, endpoint_id, event_id, event_type, resource_id, sequence)
              select 'whdl_cap_' || g, ${ep.id}, 'evt_cap_' || g, 'order.placed', 'ord_cap', g
                from generate_series(1, 1001) g`.execute(t.db.db);
    const read = await call(t, owner, 'GET', `/v1/admin/webhook-endpoints/${ep.id}`);
    expect(read.json()).toMatchObject({ pendingDeliveries: 1000, failedDeliveries: 0 });
  });

  it('updates with If-Match: disabling records reason manual, enabling clears reason and failing clock', async () => {
    const ep = await createEndpoint(t, owner);
    const patch = (body: unknown, version: number) =>
      call(t, owner, 'PATCH', `/v1/admin/webhook-endpoints/${ep.id}`, body, { 'if-match': `"${version}"` });

    const changed = await patch(
      { url: 'http://localhost:5000/in', description: 'WMS', eventTypes: ['fulfillment.shipped'] },
      1,
    );
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      url: 'http://localhost:5000/in',
      description: 'WMS',
      eventTypes: ['fulfillment.shipped'],
      version: 2,
    });
    expect(changed.headers.etag).toBe('"2"');

    const off = await patch({ enabled: false }, 2);
    expect(off.json()).toMatchObject({ enabled: false, disabledReason: 'manual', version: 3 });
    expect(off.json<{ disabledAt: string }>().disabledAt).toEqual(expect.any(String));

    // The workers disabled it for failing; enabling again starts a fresh failing clock.
    await t.db.db
      .updateTable('webhook_endpoint')
      .set({ disabled_reason: 'failing', failing_since: new Date(Date.now() - 3_600_000) })
      .where('id', '=', ep.id)
      .execute();
    const on = await patch({ enabled: true }, 3);
    expect(on.json()).toMatchObject({
      enabled: true,
      disabledReason: null,
      disabledAt: null,
      failingSince: null,
      version: 4,
    });

    const stale = await patch({ description: 'late' }, 3);
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'VERSION_MISMATCH', currentVersion: 4 });
    expect((await endpointRow(ep.id)).description).toBe('WMS');

    const audit = await auditOf(ep.id);
    expect(audit.map((a) => a.action)).toEqual([
      'webhook_endpoint.created',
      'webhook_endpoint.updated',
      'webhook_endpoint.updated',
      'webhook_endpoint.updated',
    ]);
    expect(audit[1]?.changes).toEqual({
      url: 'http://localhost:5000/in',
      description: 'WMS',
      eventTypes: ['fulfillment.shipped'],
    });
  });

  it('an endpoint already disabled by the workers keeps its reason when disabled again', async () => {
    const ep = await createEndpoint(t, owner);
    await t.db.db
      .updateTable('webhook_endpoint')
      .set({ enabled: false, disabled_reason: 'gone', disabled_at: new Date('2026-01-01T00:00:00Z') })
      .where('id', '=', ep.id)
      .execute();
    const res = await call(
      t,
      owner,
      'PATCH',
      `/v1/admin/webhook-endpoints/${ep.id}`,
      { enabled: false },
      { 'if-match': '1' },
    );
    expect(res.json()).toMatchObject({
      enabled: false,
      disabledReason: 'gone',
      disabledAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('deletes an endpoint with its deliveries and attempts, audited', async () => {
    const ep = await createEndpoint(t, owner);
    const d = await insertDelivery(t, ep.id, { status: 'failed', attempts: 1 });
    await t.db.db
      .insertInto('webhook_attempt')
      .values({
        id: 'what_probe_delete',
        delivery_id: d.id,
        attempt: 1,
        started_at: new Date(),
        duration_ms: 5,
        status_code: 500,
        response_excerpt: null,
        error: null,
      })
      .execute();
    const res = await call(t, owner, 'DELETE', `/v1/admin/webhook-endpoints/${ep.id}`);
    expect(res.statusCode).toBe(204);
    expect((await call(t, owner, 'GET', `/v1/admin/webhook-endpoints/${ep.id}`)).statusCode).toBe(404);
    const left = await t.db.db.selectFrom('webhook_delivery').select('id').where('endpoint_id', '=', ep.id).execute();
    expect(left).toEqual([]);
    const attempts = await t.db.db.selectFrom('webhook_attempt').select('id').where('delivery_id', '=', d.id).execute();
    expect(attempts).toEqual([]);
    expect((await auditOf(ep.id)).map((a) => a.action)).toContain('webhook_endpoint.deleted');
  });

  it('rotates the secret: the new one is shown once, the retired one kept sealed until the overlap ends', async () => {
    const ep = await createEndpoint(t, owner);
    const before = Date.now();
    const res = await call(t, owner, 'POST', `/v1/admin/webhook-endpoints/${ep.id}/rotate-secret`, { overlapHours: 2 });
    expect(res.statusCode).toBe(200);
    const rotated = res.json<{ secret: string; previousSecretExpiresAt: string }>();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(ep.secret);
    expect(verifies(rotated.secret)).toBe(true);
    const expires = Date.parse(rotated.previousSecretExpiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 2 * 3_600_000 - 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000 + 60_000);

    const row = await endpointRow(ep.id);
    expect(box.open(row.secret_sealed, ep.id)).toBe(rotated.secret);
    expect(box.open(row.previous_secret_sealed ?? '', ep.id)).toBe(ep.secret);
    const read = await call(t, owner, 'GET', `/v1/admin/webhook-endpoints/${ep.id}`);
    expect(read.json()).toMatchObject({ previousSecretExpiresAt: rotated.previousSecretExpiresAt, version: 2 });
    expect(read.body).not.toContain(rotated.secret.slice(6));

    // A second rotation during the overlap keeps the secret it retires, not the older one.
    const again = await call(t, owner, 'POST', `/v1/admin/webhook-endpoints/${ep.id}/rotate-secret`, {});
    expect(again.statusCode).toBe(200);
    const third = again.json<{ secret: string; previousSecretExpiresAt: string }>();
    const row2 = await endpointRow(ep.id);
    expect(box.open(row2.secret_sealed, ep.id)).toBe(third.secret);
    expect(box.open(row2.previous_secret_sealed ?? '', ep.id)).toBe(rotated.secret);
    // The default overlap is WEBHOOK_SECRET_OVERLAP_HOURS.
    const defaultMs = t.config.WEBHOOK_SECRET_OVERLAP_HOURS * 3_600_000;
    expect(Math.abs(Date.parse(third.previousSecretExpiresAt) - Date.now() - defaultMs)).toBeLessThan(60_000);

    const audit = await auditOf(ep.id);
    expect(audit.filter((a) => a.action === 'webhook_endpoint.secret_rotated').map((a) => a.changes)).toEqual([
      { overlapHours: 2 },
      { overlapHours: t.config.WEBHOOK_SECRET_OVERLAP_HOURS },
    ]);
    expect(JSON.stringify(audit)).not.toContain(third.secret.slice(6));
  });

  it('rotating with overlap 0 keeps no previous secret; a body-less rotation uses the default', async () => {
    const ep = await createEndpoint(t, owner);
    await call(t, owner, 'POST', `/v1/admin/webhook-endpoints/${ep.id}/rotate-secret`, { overlapHours: 5 });
    const res = await call(t, owner, 'POST', `/v1/admin/webhook-endpoints/${ep.id}/rotate-secret`, { overlapHours: 0 });
    expect(res.json()).toMatchObject({ previousSecretExpiresAt: null });
    const row = await endpointRow(ep.id);
    expect(row.previous_secret_sealed).toBeNull();
    expect(row.previous_secret_expires_at).toBeNull();
    const bare = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/webhook-endpoints/${ep.id}/rotate-secret`,
      headers: auth(owner),
    });
    expect(bare.statusCode).toBe(200);
    expect(bare.json<{ previousSecretExpiresAt: string | null }>().previousSecretExpiresAt).not.toBeNull();
  });

  it('an overlap that ran out no longer shows', async () => {
    const ep = await createEndpoint(t, owner);
    await call(t, owner, 'POST', `/v1/admin/webhook-endpoints/${ep.id}/rotate-secret`, { overlapHours: 1 });
    await t.db.db
      .updateTable('webhook_endpoint')
      .set({ previous_secret_expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', ep.id)
      .execute();
    const read = await call(t, owner, 'GET', `/v1/admin/webhook-endpoints/${ep.id}`);
    expect(read.json()).toMatchObject({ previousSecretExpiresAt: null });
  });

  it('queues a ping: its own event with the delivered body shape and one pending delivery, audited', async () => {
    const ep = await createEndpoint(t, owner);
    const res = await call(t, owner, 'POST', `/v1/admin/webhook-endpoints/${ep.id}/test`);
    expect(res.statusCode).toBe(202);
    const { eventId, deliveryId } = res.json<{ eventId: string; deliveryId: string }>();
    expect(eventId).toMatch(/^evt_/);
    expect(deliveryId).toMatch(/^whdl_/);
    const event = await t.db.db
      .selectFrom('webhook_event')
      .selectAll()
      .where('id', '=', eventId)
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ type: 'ping', resource_id: ep.id });
    expect(Number(event.sequence)).toBe(0);
    const body = JSON.parse(event.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['type', 'timestamp', 'sequence', 'data']);
    expect(body).toMatchObject({ type: 'ping', sequence: 0, data: { endpointId: ep.id, message: expect.any(String) } });
    expect(new Date(body.timestamp as string).toISOString()).toBe(body.timestamp);
    const delivery = await t.db.db
      .selectFrom('webhook_delivery')
      .selectAll()
      .where('id', '=', deliveryId)
      .executeTakeFirstOrThrow();
    expect(delivery).toMatchObject({
      endpoint_id: ep.id,
      event_id: eventId,
      event_type: 'ping',
      resource_id: ep.id,
      status: 'pending',
      attempts: 0,
      leased_until: null,
    });
    expect(delivery.next_attempt_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect((await auditOf(ep.id)).map((a) => a.action)).toContain('webhook_endpoint.tested');
  });

  it('does not ping a disabled endpoint (409 ENDPOINT_DISABLED, nothing queued)', async () => {
    const ep = await createEndpoint(t, owner, { enabled: false });
    const before = await snapshot(t);
    const res = await call(t, owner, 'POST', `/v1/admin/webhook-endpoints/${ep.id}/test`);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'ENDPOINT_DISABLED' });
    expect(await snapshot(t)).toEqual(before);
  });

  it('lists the event types endpoints can subscribe to, and ping', async () => {
    const res = await call(t, owner, 'GET', '/v1/admin/webhook-event-types');
    expect(res.statusCode).toBe(200);
    const types = res.json<{ data: { type: string; description: string }[] }>().data.map((d) => d.type);
    expect(types).toContain('order.placed');
    expect(types).toContain('ping');
    expect(new Set(types).size).toBe(types.length);
  });

  it('refuses staff without webhooks:manage (403) and changes nothing', async () => {
    const catalogOnly = (await staffSession(t, await customRole(t, ['catalog:read', 'events:read']))).token;
    const ep = await createEndpoint(t, owner);
    const before = await snapshot(t);
    const attempts = [
      await call(t, catalogOnly, 'POST', '/v1/admin/webhook-endpoints', {
        url: 'http://127.0.0.1/x',
        eventTypes: ['*'],
      }),
      await call(t, catalogOnly, 'GET', `/v1/admin/webhook-endpoints/${ep.id}`),
      await call(
        t,
        catalogOnly,
        'PATCH',
        `/v1/admin/webhook-endpoints/${ep.id}`,
        { enabled: false },
        { 'if-match': '1' },
      ),
      await call(t, catalogOnly, 'POST', `/v1/admin/webhook-endpoints/${ep.id}/rotate-secret`, {}),
      await call(t, catalogOnly, 'POST', `/v1/admin/webhook-endpoints/${ep.id}/test`),
      await call(t, catalogOnly, 'DELETE', `/v1/admin/webhook-endpoints/${ep.id}`),
      await call(t, catalogOnly, 'GET', '/v1/admin/webhook-deliveries'),
    ];
    for (const res of attempts) {
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'PERMISSION_DENIED' });
    }
    expect(await snapshot(t)).toEqual(before);
  });
});
