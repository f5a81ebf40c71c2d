import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shopOf } from '../checkout/completion.helpers.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { placeOrder } from '../orders/placed-order.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { changed, collect } from './dashboard.helpers.js';

let t: TestApp;
let base: string;
let owner: string;
let support: string;
beforeAll(async () => {
  t = await createTestApp();
  owner = (await staffSession(t, 'role_owner')).token;
  // orders:read without inventory:read
  support = (await staffSession(t, 'role_support')).token;
  await shopOf(t);
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t?.close();
});

const url = () => `${base}/v1/admin/dashboard/stream`;

describe('GET /v1/admin/dashboard/stream', () => {
  it('says "changed" soon after an order is placed, with the topics the member may read', async () => {
    let placedAt = 0;
    // The order is placed once both streams watch (their `ready` arrived).
    let ready = 0;
    let bothReady: () => void = () => {};
    const watching = new Promise<void>((r) => {
      bothReady = r;
    });
    const onReady = async () => {
      if (++ready === 2) bothReady();
    };
    // Placing an order first creates its product (activity), then the order itself.
    let heardAt = 0;
    const untilChanged = (events: { event?: string; data?: string }[]) => {
      const heard = events.some((e) => e.event === 'changed' && e.data?.includes('"orders"'));
      if (heard && !heardAt) heardAt = Date.now();
      return heard;
    };
    const ownerStream = collect(url(), auth(owner), untilChanged, { onReady });
    const supportStream = collect(url(), auth(support), untilChanged, { onReady });
    await watching;
    await placeOrder(t, { quantities: [1] });
    placedAt = Date.now(); // the order committed before the checkout answered
    const [o, s] = await Promise.all([ownerStream, supportStream]);
    const seenAfter = heardAt - placedAt;
    expect(o.status).toBe(200);
    expect(o.type).toMatch(/^text\/event-stream/);
    expect(o.events[0]).toMatchObject({ event: 'ready' });
    const oc = changed(o.events).find((c) => c.topics.includes('orders'));
    expect(oc?.topics).toEqual(['orders', 'inventory', 'activity']);
    expect(oc?.sequence).toBeGreaterThan(Number(JSON.parse(o.events[0]?.data ?? '{}').sequence));
    // No inventory topic, ever, for a member who may not read inventory.
    expect(changed(s.events).find((c) => c.topics.includes('orders'))?.topics).toEqual(['orders', 'activity']);
    expect(changed(s.events).flatMap((c) => c.topics)).not.toContain('inventory');
    // Poll every 500 ms: heard within about a second of the commit (often before the checkout answered).
    expect(seenAfter).toBeLessThan(1200);
  });

  it('catches a reconnecting page up at once when its Last-Event-ID is behind', async () => {
    const first = await collect(url(), auth(owner), (e) => e.some((x) => x.event === 'ready'));
    const position = JSON.parse(first.events[0]?.data ?? '{}').sequence as number;
    await placeOrder(t, { quantities: [1] });
    const again = await collect(url(), { ...auth(owner), 'last-event-id': String(position) }, (e) =>
      e.some((x) => x.event === 'changed'),
    );
    expect(changed(again.events)[0]?.topics).toEqual(['orders', 'inventory', 'activity']);
    // Up to date: nothing to catch up on.
    const now = JSON.parse(again.events[0]?.data ?? '{}').sequence as number;
    const quiet = await collect(url(), { ...auth(owner), 'last-event-id': String(now) }, () => false, { ms: 1200 });
    expect(changed(quiet.events)).toEqual([]);
  });

  it('hears about a change made through another server process on the same database', async () => {
    const other = await createTestApp({ db: t.db });
    try {
      const stream = collect(url(), auth(owner), (e) => e.some((x) => x.event === 'changed'), {
        onReady: async () => {
          const n = Date.now().toString(36);
          const res = await other.app.inject({
            method: 'POST',
            url: '/v1/admin/products',
            headers: auth(owner),
            payload: {
              title: `Made elsewhere ${n}`,
              handle: `made-elsewhere-${n}`,
              status: 'active',
              variants: [{ sku: `ELSE-${n}`, prices: [{ currency: 'EUR', amount: 100 }] }],
            },
          });
          expect(res.statusCode).toBe(201);
        },
      });
      expect(changed((await stream).events)[0]?.topics).toEqual(['inventory', 'activity']);
    } finally {
      await other.close();
    }
  });

  it('refuses without credentials (401), without orders:read (403) and without Accept: text/event-stream (406)', async () => {
    expect((await fetch(url(), { headers: { accept: 'text/event-stream' } })).status).toBe(401);
    const res = await t.app.inject({ method: 'GET', url: '/v1/admin/dashboard/stream', headers: auth(owner) });
    expect(res.statusCode).toBe(406);
    expect(res.json()).toMatchObject({ code: 'NOT_ACCEPTABLE' });
    const bad = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/dashboard/stream?lastEventId=abc',
      headers: { ...auth(owner), accept: 'text/event-stream' },
    });
    expect(bad.statusCode).toBe(400);
  });
});
