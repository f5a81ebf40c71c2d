import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayRanges } from '../../src/modules/dashboard/index.js';
import { countStatements } from '../catalog/storefront.support.js';
import { shopOf } from '../checkout/completion.helpers.js';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { placeOrderDirectly } from '../orders/orders.helpers.js';
import { placeOrder } from '../orders/placed-order.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { dashboard, salesIn } from './dashboard.helpers.js';

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp();
  owner = (await staffSession(t, 'role_owner')).token;
  await shopOf(t); // regions in EUR and USD
});
afterAll(async () => {
  await t?.close();
});

const post = (url: string, payload: Record<string, unknown> = {}) =>
  t.app.inject({ method: 'POST', url, headers: auth(owner), payload });

/** An order in `currency` placed at `placedAt` (a fixture: status and time set straight in the table). */
async function orderPlacedAt(currency: string, placedAt: Date, total: number) {
  const o = await placeOrderDirectly(t, { currency, total });
  await sql`update "order" set status = 'placed', payment_status = 'authorized', placed_at = ${placedAt}
             where id = ${o.id}`.execute(t.db.db);
  return o;
}

describe('GET /v1/admin/dashboard', () => {
  it("counts today's orders and sales, and the backlog, as orders are placed, captured and cancelled", async () => {
    const before = await dashboard(t, owner);
    const eur0 = salesIn(before, 'EUR').today;
    const a = await placeOrder(t);
    const b = await placeOrder(t, { quantities: [1] });

    const placed = await dashboard(t, owner);
    expect(salesIn(placed, 'EUR').today).toEqual({
      orders: eur0.orders + 2,
      sales: { amount: eur0.sales.amount + a.total + b.total, currency: 'EUR' },
    });
    expect(placed.awaitingCapture.count).toBe(before.awaitingCapture.count + 2);
    expect(placed.awaitingFulfillment.count).toBe(before.awaitingFulfillment.count + 2);
    expect(placed.activity[0]).toMatchObject({
      type: 'order.placed',
      description: expect.stringContaining(`Order #${b.number} placed by ${b.email}`),
      resource: { type: 'order', id: b.orderId, path: `/orders/${b.orderId}` },
    });

    expect((await post(`/v1/admin/orders/${a.orderId}/capture`)).statusCode).toBe(200);
    const captured = await dashboard(t, owner);
    expect(captured.awaitingCapture.count).toBe(before.awaitingCapture.count + 1);
    // Paid and still to pack.
    expect(captured.awaitingFulfillment.count).toBe(before.awaitingFulfillment.count + 2);
    expect(salesIn(captured, 'EUR').today.orders).toBe(eur0.orders + 2);
    const capture = captured.activity.find((l) => l.type === 'payment.captured');
    expect(capture?.description).toMatch(new RegExp(`^€[\\d.,]+ captured for order #${a.number}$`));
    expect(capture?.resource).toEqual({ type: 'order', id: a.orderId, path: `/orders/${a.orderId}` });

    expect((await post(`/v1/admin/orders/${b.orderId}/cancel`, { reason: 'customer asked' })).statusCode).toBe(200);
    const cancelled = await dashboard(t, owner);
    expect(salesIn(cancelled, 'EUR').today).toEqual({
      orders: eur0.orders + 1,
      sales: { amount: eur0.sales.amount + a.total, currency: 'EUR' },
    });
    expect(cancelled.awaitingCapture.count).toBe(before.awaitingCapture.count);
    expect(cancelled.awaitingFulfillment.count).toBe(before.awaitingFulfillment.count + 1);
    expect(cancelled.activity[0]).toMatchObject({
      type: 'order.cancelled',
      description: `Order #${b.number} cancelled (customer asked)`,
    });
  });

  it('names the orders-list filters that show the backlog', async () => {
    const d = await dashboard(t, owner);
    expect(d.awaitingCapture.filter).toEqual({ status: ['placed'], paymentStatus: ['authorized'] });
    expect(d.awaitingFulfillment.filter).toEqual({
      status: ['placed'],
      paymentStatus: ['authorized', 'partially_paid', 'paid'],
      fulfillmentStatus: ['not_fulfilled', 'partially_fulfilled'],
    });
  });

  it("lists every shop currency (the regions'), then others with orders, each summed on its own", async () => {
    const before = await dashboard(t, owner);
    expect(
      before.sales
        .map((s) => s.currency)
        .slice(0, 2)
        .sort(),
    ).toEqual(['EUR', 'USD']);
    const now = new Date();
    await orderPlacedAt('USD', now, 1200);
    await orderPlacedAt('USD', now, 800);
    await orderPlacedAt('GBP', now, 500);
    const after = await dashboard(t, owner);
    const usd0 = salesIn(before, 'USD').today;
    expect(salesIn(after, 'USD').today).toEqual({
      orders: usd0.orders + 2,
      sales: { amount: usd0.sales.amount + 2000, currency: 'USD' },
    });
    expect(salesIn(after, 'GBP').today).toEqual({ orders: 1, sales: { amount: 500, currency: 'GBP' } });
    expect(salesIn(after, 'EUR').today).toEqual(salesIn(before, 'EUR').today);
  });

  it('ignores orders still waiting for payment', async () => {
    const before = await dashboard(t, owner);
    await placeOrderDirectly(t, { currency: 'EUR', total: 999 });
    const after = await dashboard(t, owner);
    expect(after.sales).toEqual(before.sales);
    expect(after.awaitingCapture.count).toBe(before.awaitingCapture.count);
  });
});

describe('days in the shop time zone', () => {
  it('splits today and yesterday at local midnight of SHOP_TIMEZONE', async () => {
    // UTC+14: local midnight is 10:00 UTC of the previous UTC day, so UTC and local days differ most of the time.
    const tz = 'Pacific/Kiritimati';
    const z = await createTestApp({ db: t.db, env: { SHOP_TIMEZONE: tz } });
    try {
      const token = (await staffSession(z, 'role_owner')).token;
      const r = dayRanges(tz, new Date());
      const before = await dashboard(z, token);
      expect(before).toMatchObject({ timeZone: tz, today: r.today, yesterday: r.yesterday });
      const jpy0 = before.sales.find((s) => s.currency === 'JPY');
      expect(jpy0).toBeUndefined();
      await orderPlacedAt('JPY', new Date(r.todayStart.getTime()), 100); // the first instant of today
      await orderPlacedAt('JPY', new Date(r.todayStart.getTime() - 1000), 20); // a second before midnight
      await orderPlacedAt('JPY', new Date(r.yesterdayStart.getTime()), 3); // first instant of yesterday
      await orderPlacedAt('JPY', new Date(r.yesterdayStart.getTime() - 1000), 4000); // the day before: not counted
      const d = await dashboard(z, token);
      const jpy = salesIn(d, 'JPY');
      expect(jpy.today).toEqual({ orders: 1, sales: { amount: 100, currency: 'JPY' } });
      expect(jpy.yesterday).toEqual({ orders: 2, sales: { amount: 23, currency: 'JPY' } });
      // So far yesterday (up to this time of day): both yesterday orders were at its very start and end… the one
      // a second before midnight only counts if now is that late.
      expect(jpy.yesterdaySoFar.orders).toBe(Date.now() - r.todayStart.getTime() >= 86_399_000 ? 2 : 1);
    } finally {
      await z.close();
    }
  });

  it('computes day boundaries across DST changes and in zones that skip midnight', () => {
    const berlin = dayRanges('Europe/Berlin', new Date('2026-03-29T12:00:00Z')); // 23-hour day
    expect(berlin.todayStart.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(berlin.tomorrowStart.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(berlin.yesterdayStart.toISOString()).toBe('2026-03-27T23:00:00.000Z');
    const fall = dayRanges('America/New_York', new Date('2026-11-01T20:00:00Z')); // 25-hour day
    expect(fall.todayStart.toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(fall.tomorrowStart.toISOString()).toBe('2026-11-02T05:00:00.000Z');
    // Cuba moves its clocks from 00:00 to 01:00: the day starts at 01:00 local (05:00 UTC).
    const havana = dayRanges('America/Havana', new Date('2026-03-08T15:00:00Z'));
    expect(havana.today).toBe('2026-03-08');
    expect(havana.todayStart.toISOString()).toBe('2026-03-08T05:00:00.000Z');
    const utc = dayRanges('UTC', new Date('2026-01-01T00:30:00Z'));
    expect(utc).toMatchObject({ today: '2026-01-01', yesterday: '2025-12-31' });
    expect(utc.yesterdaySameTime.toISOString()).toBe('2025-12-31T00:30:00.000Z');
  });

  it('refuses a start-up with an unknown time zone, naming the variable', async () => {
    await expect(createTestApp({ db: t.db, env: { SHOP_TIMEZONE: 'Mars/Olympus_Mons' } })).rejects.toThrow(
      /SHOP_TIMEZONE: expected an IANA time zone/,
    );
  });
});

describe('dashboard permissions and budget', () => {
  it('answers 401 without credentials and 403 without orders:read', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/admin/dashboard' })).statusCode).toBe(401);
    const nobody = await staffSession(t, await customRole(t, ['catalog:read', 'inventory:read']));
    const res = await t.app.inject({ method: 'GET', url: '/v1/admin/dashboard', headers: auth(nobody.token) });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('keeps within its statement budget whatever the number of orders and events', async () => {
    await dashboard(t, owner); // sequence what earlier tests wrote
    const first = await countStatements(() =>
      t.app.inject({ method: 'GET', url: '/v1/admin/dashboard', headers: auth(owner) }),
    );
    expect(first.result.statusCode).toBe(200);
    for (let i = 0; i < 3; i++) await placeOrder(t, { quantities: [1] });
    await dashboard(t, owner);
    const later = await countStatements(() =>
      t.app.inject({ method: 'GET', url: '/v1/admin/dashboard', headers: auth(owner) }),
    );
    // The credential, the sequencer's idle check, sales, backlog, currencies, low stock and its titles, activity,
    // and at most one name lookup per kind (orders, products, customers): 11 at most, whatever the shop's size.
    for (const run of [first, later]) expect(run.count, run.sql.join('\n')).toBeLessThanOrEqual(11);
  });
});
