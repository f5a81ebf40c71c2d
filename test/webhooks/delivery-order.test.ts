import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookWorker, type WebhookWorker } from '../../src/modules/webhooks/delivery.worker.js';
import {
  type AddedEvent,
  addEndpoint,
  addEvent,
  createHarness,
  deliveryOf,
  type Harness,
  noFeed,
  Receiver,
  waitFor,
} from './delivery.support.js';

describe('webhook delivery: order per resource, isolation and concurrency per endpoint', () => {
  let h: Harness;
  const receivers: Receiver[] = [];
  const workers: WebhookWorker[] = [];
  const receiver = async () => {
    const r = await Receiver.start();
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    h = await createHarness({ settings: { concurrency: 3 } });
  });
  afterEach(async () => {
    // Receivers first: an attempt held by a hanging receiver ends when its socket is destroyed.
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await h.close();
  });

  it("keeps one resource's events in commit order while another resource's first event keeps failing", async () => {
    const r = await receiver();
    const ep = await addEndpoint(h, r.url());
    let failA = true;
    r.answer = (x) => (x.data.id === 'ord_A' && failA ? { status: 503 } : { status: 200 });
    const a: AddedEvent[] = [];
    const b: AddedEvent[] = [];
    for (let i = 0; i < 5; i++) {
      a.push(await addEvent(h, [ep.id], { resourceId: 'ord_A' }));
      b.push(await addEvent(h, [ep.id], { resourceId: 'ord_B' }));
    }
    workers.push(startWebhookWorker(h.deps, { feed: noFeed, retryDelayMs: () => 30 }));
    await waitFor("B's five events", () => b.every((e) => r.ids().includes(e.eventId)));
    // A's first event has been retried meanwhile; nothing after it was sent.
    await waitFor("A's first event tried three times", () => r.ids().filter((id) => id === a[0]?.eventId).length >= 3);
    const received = r.ids();
    expect(received.filter((id) => b.some((e) => e.eventId === id))).toEqual(b.map((e) => e.eventId));
    expect(new Set(received.filter((id) => a.some((e) => e.eventId === id)))).toEqual(new Set([a[0]?.eventId]));
    expect((await deliveryOf(h, ep.id, a[1]!.eventId)).attempts).toBe(0);

    failA = false;
    await waitFor("A's five events", () => a.every((e) => r.ids().includes(e.eventId)));
    const firstOfEach = [...new Set(r.ids())].filter((id) => a.some((e) => e.eventId === id));
    expect(firstOfEach).toEqual(a.map((e) => e.eventId));
    expect(r.resourceOverlap).toBe(false);
  });

  it('sends events of one resource one at a time, in order, whatever the concurrency', async () => {
    const r = await receiver();
    // Slow answers, so that many requests are in flight at once.
    r.answer = () => ({ status: 200, after: sleep(15) });
    const ep = await addEndpoint(h, r.url());
    const events: AddedEvent[] = [];
    for (let i = 0; i < 24; i++) events.push(await addEvent(h, [ep.id], { resourceId: `prod_${i % 4}` }));
    workers.push(startWebhookWorker(h.deps, { feed: noFeed }));
    await waitFor('all events', () => r.received.length >= events.length);
    expect(r.resourceOverlap).toBe(false);
    for (let k = 0; k < 4; k++) {
      const seqs = r.received.filter((x) => x.data.id === `prod_${k}`).map((x) => x.data.sequence);
      expect(seqs).toEqual([...seqs].sort((p, q) => p - q));
      expect(seqs).toHaveLength(6);
    }
  });

  it('keeps at most `concurrency` attempts in flight to an endpoint, across two workers', async () => {
    const r = await receiver();
    r.answer = () => ({ status: 200, after: sleep(30) });
    const ep = await addEndpoint(h, r.url());
    for (let i = 0; i < 30; i++) await addEvent(h, [ep.id], { resourceId: `cus_${i}` });
    workers.push(startWebhookWorker(h.deps, { feed: noFeed }), startWebhookWorker(h.deps, { feed: noFeed }));
    await waitFor('all 30 events', () => r.received.length >= 30);
    expect(r.maxInFlight).toBeLessThanOrEqual(3);
    expect(r.maxInFlight).toBe(3);
  });

  it('lets a healthy endpoint take everything while a slow one holds only its own slots', async () => {
    const slow = await receiver();
    slow.answer = () => ({ status: 200, hang: true });
    const healthy = await receiver();
    const slowEp = await addEndpoint(h, slow.url());
    const healthyEp = await addEndpoint(h, healthy.url());
    const events: AddedEvent[] = [];
    for (let i = 0; i < 12; i++) events.push(await addEvent(h, [slowEp.id, healthyEp.id], { resourceId: `ord_s${i}` }));
    // A long deadline: the slow endpoint's attempts are still open when the healthy one has everything.
    const worker = startWebhookWorker(
      { ...h.deps, settings: { ...h.deps.settings, timeoutMs: 60_000 } },
      { feed: noFeed },
    );
    workers.push(worker);
    await waitFor('every event at the healthy endpoint', () => events.every((e) => healthy.ids().includes(e.eventId)));
    await waitFor('the slow endpoint to hold its three slots', () => slow.inFlight === 3);
    expect(slow.received).toHaveLength(3);
    const slowRows = await h.db.db
      .selectFrom('webhook_delivery')
      .select(['status', 'attempts'])
      .where('endpoint_id', '=', slowEp.id)
      .execute();
    expect(slowRows.filter((x) => x.attempts > 0)).toHaveLength(3);
    expect(slowRows.every((x) => x.status === 'pending')).toBe(true);
  });
});
