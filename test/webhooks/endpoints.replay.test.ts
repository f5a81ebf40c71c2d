import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequenceEvents } from '../../src/platform/outbox/sequencer.js';
import { staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { call, createEndpoint, snapshot } from './endpoints.helpers.js';

/**
 * `POST /v1/admin/webhook-endpoints/{id}/replay` over events that happened before the endpoint existed
 * (so the fan-out never gave it them): real products created through the admin API.
 */

let t: TestApp;
let owner: string;
let productIds: string[];
let before: Date;
beforeAll(async () => {
  t = await createTestApp({ env: { WEBHOOKS_ALLOW_PRIVATE_URLS: 'true' } });
  owner = (await staffSession(t)).token;
  before = new Date(Date.now() - 60_000);
  productIds = [];
  for (const title of ['Mug', 'Teapot']) {
    const res = await call(t, owner, 'POST', '/v1/admin/products', { title });
    if (res.statusCode !== 201) throw new Error(`product: ${res.statusCode} ${res.body}`);
    productIds.push(res.json<{ id: string }>().id);
  }
  // Consumers read events in commit order: the sequencer numbers them (the workers do it in production).
  await sequenceEvents(t.db.db);
});
afterAll(async () => {
  await t?.close();
});

const replay = (id: string, body: unknown) => call(t, owner, 'POST', `/v1/admin/webhook-endpoints/${id}/replay`, body);
const deliveriesOf = (endpointId: string) =>
  t.db.db
    .selectFrom('webhook_delivery')
    .select(['event_type', 'resource_id', 'status'])
    .where('endpoint_id', '=', endpointId)
    .orderBy('sequence')
    .execute();

describe('replaying an endpoint', () => {
  it('queues every subscribed event since the time, as pending deliveries, audited', async () => {
    const ep = await createEndpoint(t, owner, { eventTypes: ['product.created'] });
    expect(await deliveriesOf(ep.id)).toEqual([]);
    const res = await replay(ep.id, { since: before.toISOString() });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ queued: 2 });
    const queued = await deliveriesOf(ep.id);
    expect(queued.map((d) => d.event_type)).toEqual(['product.created', 'product.created']);
    expect(queued.every((d) => d.status === 'pending')).toBe(true);
    const audit = await t.db.db
      .selectFrom('audit_log')
      .select(['action', 'changes'])
      .where('target_id', '=', ep.id)
      .where('action', '=', 'webhook_endpoint.replayed')
      .execute();
    expect(audit).toEqual([
      { action: 'webhook_endpoint.replayed', changes: { since: before.toISOString(), queued: 2 } },
    ]);
  });

  it('queues nothing for types the endpoint does not subscribe to, or from a time in the future', async () => {
    const orders = await createEndpoint(t, owner, { eventTypes: ['order.placed'] });
    expect((await replay(orders.id, { since: before.toISOString() })).json()).toEqual({ queued: 0 });
    const all = await createEndpoint(t, owner, { eventTypes: ['*'] });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await replay(all.id, { since: future })).json()).toEqual({ queued: 0 });
    expect(await deliveriesOf(all.id)).toEqual([]);
  });

  it('refuses a malformed or missing time (400 naming since) and an unknown endpoint (404), changing nothing', async () => {
    const ep = await createEndpoint(t, owner, { eventTypes: ['*'] });
    const snap = await snapshot(t);
    for (const body of [{ since: 'yesterday' }, { since: '2026-13-45T00:00:00Z' }, { since: 5 }, {}]) {
      const res = await replay(ep.id, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(
        res
          .json<{ errors: { path: string }[] }>()
          .errors.map((e) => e.path)
          .join(' '),
      ).toContain('/body/since');
    }
    const unknown = await replay('whep_01jd4m3k8sf6tb0z5g2n0c1xyz', { since: before.toISOString() });
    expect(unknown.statusCode).toBe(404);
    expect(await snapshot(t)).toEqual(snap);
  });
});
