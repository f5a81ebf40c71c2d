import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { type CreatedEndpoint, call, createEndpoint, insertDelivery, snapshot } from './endpoints.helpers.js';

/** The admin view of webhook deliveries (list, detail with attempts, redeliver) over rows written here. */

let t: TestApp;
let owner: string;
let ep: CreatedEndpoint;
let other: CreatedEndpoint;
beforeAll(async () => {
  t = await createTestApp({ env: { WEBHOOKS_ALLOW_PRIVATE_URLS: 'true' } });
  owner = (await staffSession(t)).token;
  ep = await createEndpoint(t, owner);
  other = await createEndpoint(t, owner);
});
afterAll(async () => {
  await t?.close();
});

interface View {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}
type Page = { data: View[]; nextCursor: string | null };

const list = async (query: string) => {
  const res = await call(t, owner, 'GET', `/v1/admin/webhook-deliveries${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Page>();
};
const row = (id: string) =>
  t.db.db.selectFrom('webhook_delivery').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const redeliver = (id: string) => call(t, owner, 'POST', `/v1/admin/webhook-deliveries/${id}/redeliver`);

describe('webhook deliveries: list and detail', () => {
  it('lists newest first, filtered by endpoint, event, type and status, paged by cursor', async () => {
    const a = await insertDelivery(t, ep.id, { type: 'order.placed', status: 'delivered' });
    const b = await insertDelivery(t, ep.id, { type: 'product.created', status: 'failed', attempts: 12 });
    const c = await insertDelivery(t, ep.id, { type: 'order.placed', status: 'pending' });
    const d = await insertDelivery(t, other.id, { eventId: c.eventId, type: 'order.placed', status: 'pending' });

    const mine = await list(`?endpointId=${ep.id}`);
    expect(mine.data.map((v) => v.id)).toEqual([c.id, b.id, a.id]);
    expect(mine.data[0]).toMatchObject({
      endpointId: ep.id,
      eventId: c.eventId,
      eventType: 'order.placed',
      status: 'pending',
    });
    expect(mine.data[0]?.nextAttemptAt).toEqual(expect.any(String));
    expect(mine.data[2]).toMatchObject({ status: 'delivered', nextAttemptAt: null, deliveredAt: expect.any(String) });

    expect((await list(`?eventId=${c.eventId}`)).data.map((v) => v.id)).toEqual([d.id, c.id]);
    expect((await list(`?endpointId=${ep.id}&eventType=order.placed`)).data.map((v) => v.id)).toEqual([c.id, a.id]);
    expect((await list('?status=failed')).data.map((v) => v.id)).toEqual([b.id]);
    expect((await list(`?endpointId=${ep.id}&status=pending&eventType=product.created`)).data).toEqual([]);

    const first = await list(`?endpointId=${ep.id}&limit=2`);
    expect(first.data.map((v) => v.id)).toEqual([c.id, b.id]);
    const second = await list(`?endpointId=${ep.id}&limit=2&cursor=${first.nextCursor}`);
    expect(second).toEqual({ data: [expect.objectContaining({ id: a.id })], nextCursor: null });
  });

  it('shows one delivery with its body and every attempt, oldest first', async () => {
    const d = await insertDelivery(t, ep.id, { status: 'failed', attempts: 2 });
    await t.db.db
      .insertInto('webhook_attempt')
      .values([
        {
          id: 'what_probe_2',
          delivery_id: d.id,
          attempt: 2,
          started_at: new Date('2026-05-01T10:00:30Z'),
          duration_ms: 10_000,
          status_code: null,
          response_excerpt: null,
          error: 'timed out after 10000 ms',
        },
        {
          id: 'what_probe_1',
          delivery_id: d.id,
          attempt: 1,
          started_at: new Date('2026-05-01T10:00:00Z'),
          duration_ms: 42,
          status_code: 503,
          response_excerpt: 'busy',
          error: null,
        },
      ])
      .execute();
    const res = await call(t, owner, 'GET', `/v1/admin/webhook-deliveries/${d.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: d.id,
      status: 'failed',
      attempts: 2,
      lastStatusCode: 500,
      body: d.body,
      attemptLog: [
        {
          attempt: 1,
          startedAt: '2026-05-01T10:00:00.000Z',
          durationMs: 42,
          statusCode: 503,
          responseExcerpt: 'busy',
          error: null,
        },
        { attempt: 2, durationMs: 10_000, statusCode: null, error: 'timed out after 10000 ms' },
      ],
    });
  });

  it('shows a ping queued by the test route', async () => {
    const ping = await call(t, owner, 'POST', `/v1/admin/webhook-endpoints/${other.id}/test`);
    const { eventId, deliveryId } = ping.json<{ eventId: string; deliveryId: string }>();
    const page = await list(`?endpointId=${other.id}&eventType=ping`);
    expect(page.data.map((v) => v.id)).toEqual([deliveryId]);
    const detail = await call(t, owner, 'GET', `/v1/admin/webhook-deliveries/${deliveryId}`);
    expect(detail.json()).toMatchObject({ eventId, eventType: 'ping', status: 'pending', sequence: 0, attemptLog: [] });
    expect(JSON.parse(detail.json<{ body: string }>().body)).toMatchObject({
      type: 'ping',
      data: { endpointId: other.id },
    });
  });

  it('refuses bad filters (400 naming the parameter) and unknown ids (404)', async () => {
    const bad = async (query: string, path: string) => {
      const res = await call(t, owner, 'GET', `/v1/admin/webhook-deliveries${query}`);
      expect(res.statusCode, query).toBe(400);
      const paths = res.json<{ errors: { path: string }[] }>().errors.map((e) => e.path);
      expect([...new Set(paths)], query).toEqual([path]);
    };
    await bad('?endpointId=nope', '/query/endpointId');
    await bad('?eventId=whep_01jd4m3k8sf6tb0z5g2n0c1xyz', '/query/eventId');
    await bad('?status=lost', '/query/status');
    await bad('?cursor=evt_01jd4m3k8sf6tb0z5g2n0c1xyz', '/query/cursor');
    await bad('?limit=500', '/query/limit');
    await bad('?colour=red', '/query/colour');
    expect(
      (await call(t, owner, 'GET', '/v1/admin/webhook-deliveries/whdl_01jd4m3k8sf6tb0z5g2n0c1xyz')).statusCode,
    ).toBe(404);
    expect((await call(t, owner, 'GET', '/v1/admin/webhook-deliveries/x')).statusCode).toBe(404);
  });
});

describe('webhook deliveries: redeliver', () => {
  it('puts a failed delivery back in the queue, due now, attempts kept, audited', async () => {
    const d = await insertDelivery(t, ep.id, { status: 'failed', attempts: 12 });
    const res = await redeliver(d.id);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id: d.id, status: 'pending', attempts: 12 });
    const after = await row(d.id);
    expect(after).toMatchObject({ status: 'pending', attempts: 12, leased_until: null, delivered_at: null });
    expect(after.next_attempt_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const audit = await t.db.db
      .selectFrom('audit_log')
      .select(['action', 'changes'])
      .where('target_id', '=', d.id)
      .execute();
    expect(audit).toEqual([
      { action: 'webhook_delivery.redelivered', changes: { endpointId: ep.id, eventId: d.eventId, attemptsSoFar: 12 } },
    ]);
  });

  it('sends a delivered one again (same event, delivered_at cleared)', async () => {
    const d = await insertDelivery(t, ep.id, { status: 'delivered', attempts: 1 });
    expect((await redeliver(d.id)).statusCode).toBe(202);
    expect(await row(d.id)).toMatchObject({ status: 'pending', delivered_at: null, event_id: d.eventId });
  });

  it('takes over an expired lease (its worker died)', async () => {
    const d = await insertDelivery(t, ep.id, {
      status: 'pending',
      attempts: 3,
      leasedUntil: new Date(Date.now() - 60_000),
    });
    expect((await redeliver(d.id)).statusCode).toBe(202);
    expect(await row(d.id)).toMatchObject({ status: 'pending', leased_until: null, attempts: 3 });
  });

  it('refuses while a worker holds the delivery (409 DELIVERY_IN_FLIGHT), changing nothing', async () => {
    const d = await insertDelivery(t, ep.id, {
      status: 'pending',
      attempts: 1,
      leasedUntil: new Date(Date.now() + 600_000),
    });
    const before = await snapshot(t);
    const res = await redeliver(d.id);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'DELIVERY_IN_FLIGHT' });
    expect(await snapshot(t)).toEqual(before);
  });

  it('refuses a delivery of a disabled endpoint (409 ENDPOINT_DISABLED) and unknown ids (404), changing nothing', async () => {
    const off = await createEndpoint(t, owner, { enabled: false });
    const d = await insertDelivery(t, off.id, { status: 'failed', attempts: 12 });
    const before = await snapshot(t);
    const res = await redeliver(d.id);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'ENDPOINT_DISABLED' });
    expect((await redeliver('whdl_01jd4m3k8sf6tb0z5g2n0c1xyz')).statusCode).toBe(404);
    expect((await redeliver('nope')).statusCode).toBe(404);
    expect(await snapshot(t)).toEqual(before);
  });
});
