import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimDeliveries } from '../../src/modules/webhooks/delivery.claim.js';
import { sendAttempt } from '../../src/modules/webhooks/delivery.http.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/modules/webhooks/delivery.worker.js';
import { signDelivery } from '../../src/modules/webhooks/signing.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { newId } from '../../src/platform/ids.js';
import { appendEvent } from '../../src/platform/outbox/outbox.js';
import { version } from '../../src/version.js';
import {
  type AddedEvent,
  addEndpoint,
  addEvent,
  attemptsOf,
  createHarness,
  deliveryOf,
  endpointRow,
  type Harness,
  newSecret,
  noFeed,
  Receiver,
  waitFor,
} from './delivery.support.js';

describe('webhook delivery (Standard Webhooks 1.0)', () => {
  let h: Harness;
  let receiver: Receiver;
  let worker: WebhookWorker | undefined;

  beforeAll(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await receiver?.close();
  });
  afterAll(async () => {
    await h.close();
  });

  it('delivers the stored body with headers a consumer verifies with the standardwebhooks package', async () => {
    receiver = await Receiver.start();
    const ep = await addEndpoint(h, receiver.url());
    receiver.secrets = [ep.secret];
    const events: AddedEvent[] = [];
    for (let i = 0; i < 5; i++) events.push(await addEvent(h, [ep.id], { resourceId: `ord_${i}` }));
    worker = startWebhookWorker(h.deps, { feed: noFeed });
    await waitFor('five deliveries', () => receiver.received.length >= 5);

    expect(receiver.ids().sort()).toEqual(events.map((e) => e.eventId).sort());
    for (const r of receiver.received) {
      const event = events.find((e) => e.eventId === r.id);
      expect(r.body).toBe(event?.body); // byte for byte what was stored
      expect(r.verifiedWith).toEqual([ep.secret]);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toBe(`Backroom-Webhooks/${version}`);
      expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(Math.abs(Number(r.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
    }
    await worker.stop();
    worker = undefined;
    const d = await deliveryOf(h, ep.id, events[0]!.eventId);
    expect(d).toMatchObject({ status: 'delivered', attempts: 1, leased_until: null, last_status_code: 204 });
    expect(d.delivered_at).toBeInstanceOf(Date);
    const attempts = await attemptsOf(h, d.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, status_code: 204, error: null });
    const endpoint = await endpointRow(h, ep.id);
    expect(endpoint.last_success_at).toBeInstanceOf(Date);
    expect(endpoint.failing_since).toBeNull();
  });

  it('delivers an outbox event end to end: sequenced, fanned out, signed and sent by the worker alone', async () => {
    receiver = await Receiver.start();
    const ep = await addEndpoint(h, receiver.url());
    receiver.secrets = [ep.secret];
    const productId = newId('product');
    const eventId = await withTransaction(h.db.db, (tx) =>
      appendEvent(tx, { type: 'product.updated', aggregateId: productId, payload: { productId } }),
    );
    worker = startWebhookWorker(h.deps);
    await waitFor('the event', () => receiver.ids().includes(eventId));
    const r = receiver.received.find((x) => x.id === eventId);
    expect(r?.verifiedWith).toEqual([ep.secret]);
    const body = JSON.parse(r?.body ?? '{}') as { type: string; sequence: number; data: { id: string } };
    expect(body.type).toBe('product.updated');
    expect(body.data.id).toBe(productId);
    expect(body.sequence).toBeGreaterThan(0);
  });

  it('signs with both secrets during a rotation overlap; each one alone verifies; after it only the new one', async () => {
    receiver = await Receiver.start();
    const previous = newSecret();
    const overlapping = await addEndpoint(h, receiver.url('/overlap'), {
      previousSecret: previous,
      previousSecretExpiresAt: new Date(Date.now() + 3600_000),
    });
    const expired = await addEndpoint(h, receiver.url('/expired'), {
      previousSecret: previous,
      previousSecretExpiresAt: new Date(Date.now() - 1000),
    });
    receiver.secrets = [overlapping.secret, expired.secret, previous];
    const during = await addEvent(h, [overlapping.id], { resourceId: 'prod_rot1' });
    const after = await addEvent(h, [expired.id], { resourceId: 'prod_rot2' });
    worker = startWebhookWorker(h.deps, { feed: noFeed });
    await waitFor('both deliveries', () => receiver.received.length >= 2);

    const r1 = receiver.received.find((r) => r.id === during.eventId);
    expect(r1?.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(r1?.verifiedWith.sort()).toEqual([overlapping.secret, previous].sort());
    const r2 = receiver.received.find((r) => r.id === after.eventId);
    expect(r2?.headers['webhook-signature']?.split(' ')).toHaveLength(1);
    expect(r2?.verifiedWith).toEqual([expired.secret]);
  });

  it('sends a delivery again with the same webhook-id after a worker died mid-attempt (its lease ran out)', async () => {
    receiver = await Receiver.start();
    const ep = await addEndpoint(h, receiver.url());
    receiver.secrets = [ep.secret];
    const event = await addEvent(h, [ep.id], { resourceId: 'ord_killed' });

    // The "killed" worker: claims with a short lease, sends, and never records the outcome.
    const claim = await claimDeliveries(h.db.db, { endpointId: ep.id, want: 10, concurrency: 10, leaseMs: 300 });
    if (claim.kind !== 'claimed') throw new Error('expected a claim');
    expect(claim.deliveries).toHaveLength(1);
    const d = claim.deliveries[0]!;
    const at = new Date();
    await sendAttempt({
      url: receiver.url(),
      headers: { ...signDelivery([ep.secret], d.eventId, at, d.body) },
      body: d.body,
      timeoutMs: 10_000,
      policy: h.deps.urlPolicy,
    });
    expect(receiver.ids()).toEqual([event.eventId]);
    // While the lease is live, another claim gets nothing.
    const during = await claimDeliveries(h.db.db, { endpointId: ep.id, want: 10, concurrency: 10, leaseMs: 300 });
    expect(during.kind === 'claimed' && during.deliveries).toEqual([]);

    worker = startWebhookWorker(h.deps, { feed: noFeed });
    await waitFor('the redelivery', () => receiver.received.length >= 2);
    expect(receiver.ids()).toEqual([event.eventId, event.eventId]);
    expect(receiver.received[1]?.verifiedWith).toEqual([ep.secret]);
    await worker.stop();
    worker = undefined;
    const row = await deliveryOf(h, ep.id, event.eventId);
    // Two attempts were made; only the one whose worker lived to record it has an attempt row.
    expect(row).toMatchObject({ status: 'delivered', attempts: 2 });
    expect((await attemptsOf(h, row.id)).map((a) => a.attempt)).toEqual([2]);
  });

  it('drops the outcome of an attempt whose lease was taken over, and keeps the new owner’s', async () => {
    receiver = await Receiver.start();
    const ep = await addEndpoint(h, receiver.url());
    const event = await addEvent(h, [ep.id], { resourceId: 'ord_cas' });
    const first = await claimDeliveries(h.db.db, { endpointId: ep.id, want: 1, concurrency: 10, leaseMs: 1 });
    await waitFor('the first lease to run out', async () => {
      const second = await claimDeliveries(h.db.db, { endpointId: ep.id, want: 1, concurrency: 10, leaseMs: 60_000 });
      return second.kind === 'claimed' && second.deliveries.length === 1;
    });
    const { recordAttempts } = await import('../../src/modules/webhooks/delivery.record.js');
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    const outcome = {
      startedAt: new Date(),
      durationMs: 3,
      statusCode: 200,
      responseExcerpt: 'ok',
      error: null,
      delivered: true,
      gone: false,
    };
    const result = await recordAttempts(h.deps, ep.id, [{ delivery: first.deliveries[0]!, outcome, retryInMs: null }]);
    expect(result.recorded).toBe(0);
    const row = await deliveryOf(h, ep.id, event.eventId);
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    expect(row.leased_until).toBeInstanceOf(Date);
    expect(await attemptsOf(h, row.id)).toEqual([]);
  });
});
