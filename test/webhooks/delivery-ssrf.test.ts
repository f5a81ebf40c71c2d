import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookWorker, type WebhookWorker } from '../../src/modules/webhooks/delivery.worker.js';
import type { LookupFn } from '../../src/modules/webhooks/url-safety.js';
import {
  type AddedEvent,
  addEndpoint,
  addEvent,
  attemptsOf,
  createHarness,
  deliveryOf,
  type Harness,
  noFeed,
  Receiver,
  waitFor,
} from './delivery.support.js';

/** Names the tests resolve themselves; anything else does not resolve. */
const names: Record<string, string[]> = {
  'hooks.internal.test': ['10.1.2.3'],
  'mixed.example.test': ['93.184.216.34', '192.168.1.20'],
  'receiver.example.test': ['127.0.0.1'],
};
let lookups: string[] = [];
const lookup: LookupFn = async (hostname) => {
  lookups.push(hostname);
  const found = names[hostname];
  if (!found) throw new Error(`ENOTFOUND ${hostname}`);
  return found.map((address) => ({ address, family: 4 as const }));
};

describe('webhook delivery refuses unsafe addresses at every attempt (private URLs not allowed)', () => {
  let h: Harness;
  let receiver: Receiver;
  let worker: WebhookWorker | undefined;

  beforeAll(async () => {
    h = await createHarness({ policy: { allowPrivate: false, lookup } });
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await receiver?.close();
  });
  afterAll(async () => {
    await h.close();
  });

  it('sends nothing to loopback, 10/8, the metadata address or a name resolving to a private address', async () => {
    receiver = await Receiver.start();
    // Endpoints saved earlier (or while the setting was on): the delivery checks again.
    const cases = [
      { url: `https://127.0.0.1:${receiver.port}/hooks`, error: /loopback address \(127\.0\.0\.1\)/ },
      { url: 'https://10.0.0.1/hooks', error: /private address \(10\.0\.0\.1\)/ },
      { url: 'https://169.254.169.254/latest/meta-data', error: /linkLocal address \(169\.254\.169\.254\)/ },
      { url: 'https://hooks.internal.test/hooks', error: /private address \(10\.1\.2\.3\)/ },
      { url: 'https://mixed.example.test/hooks', error: /private address \(192\.168\.1\.20\)/ },
      { url: `http://receiver.example.test:${receiver.port}/hooks`, error: /must use https/ },
    ];
    const made: Array<(typeof cases)[number] & { ep: { id: string }; event: AddedEvent }> = [];
    for (const c of cases) {
      const ep = await addEndpoint(h, c.url);
      made.push({ ...c, ep, event: await addEvent(h, [ep.id], { resourceId: `ord_${made.length}` }) });
    }
    worker = startWebhookWorker(h.deps, { feed: noFeed, retryDelayMs: () => 60_000 });
    for (const m of made) {
      const d = await waitFor(`the refused attempt to ${m.url}`, async () => {
        const row = await deliveryOf(h, m.ep.id, m.event.eventId);
        return row.last_error ? row : null;
      });
      expect(d.last_error).toMatch(/^unsafe URL, not sent: /);
      expect(d.last_error).toMatch(m.error);
      expect(d).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
      const [attempt] = await attemptsOf(h, d.id);
      expect(attempt?.status_code).toBeNull();
    }
    expect(receiver.connections).toBe(0);
  });
});

describe('webhook delivery connects only to the checked address and follows no redirect (private URLs allowed)', () => {
  let h: Harness;
  let receiver: Receiver;
  let worker: WebhookWorker | undefined;

  beforeAll(async () => {
    h = await createHarness({ policy: { allowPrivate: true, lookup } });
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await receiver?.close();
  });
  afterAll(async () => {
    await h.close();
  });

  it('resolves the name at every attempt, connects to that address and keeps the name as Host', async () => {
    receiver = await Receiver.start();
    receiver.answer = (_r, n) => (n < 3 ? { status: 500 } : { status: 204 });
    const ep = await addEndpoint(h, `http://receiver.example.test:${receiver.port}/hooks`);
    const event = await addEvent(h, [ep.id], { resourceId: 'ord_named' });
    lookups = [];
    worker = startWebhookWorker(h.deps, { feed: noFeed, retryDelayMs: () => 20 });
    await waitFor('the delivery', async () => (await deliveryOf(h, ep.id, event.eventId)).status === 'delivered');
    expect(receiver.received).toHaveLength(3);
    for (const r of receiver.received) expect(r.headers.host).toBe(`receiver.example.test:${receiver.port}`);
    // One resolution per attempt: a name that changes after the check is checked again.
    expect(lookups.filter((n) => n === 'receiver.example.test')).toHaveLength(3);
  });

  it('treats a redirect as a failed attempt and never requests its target', async () => {
    receiver = await Receiver.start();
    const target = await Receiver.start();
    try {
      receiver.answer = () => ({ status: 307, headers: { location: target.url('/elsewhere') } });
      const ep = await addEndpoint(h, receiver.url());
      const event = await addEvent(h, [ep.id], { resourceId: 'ord_redirect' });
      worker = startWebhookWorker(h.deps, { feed: noFeed, retryDelayMs: () => 60_000 });
      const d = await waitFor('the failed attempt', async () => {
        const row = await deliveryOf(h, ep.id, event.eventId);
        return row.last_error ? row : null;
      });
      expect(d).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 307 });
      expect(d.last_error).toContain('redirect (HTTP 307)');
      expect(d.last_error).toContain('not followed');
      expect(target.connections).toBe(0);
    } finally {
      await target.close();
    }
  });
});
