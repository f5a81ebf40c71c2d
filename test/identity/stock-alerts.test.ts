import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STOCK_ALERT_EVENT_TYPES, stockAlertHandler } from '../../src/modules/identity/index.js';
import { NOTIFICATION_QUEUED, notificationSender } from '../../src/platform/notifications/notifications.js';
import { MemoryTransport } from '../../src/platform/notifications/transport.js';
import { EventHandlers } from '../../src/platform/outbox/handlers.js';
import type { OutboxEvent } from '../../src/platform/outbox/outbox.js';
import { relayOnce } from '../../src/platform/outbox/relay.js';
import { stockAlertDeps } from '../../src/runtime.js';
import { tshirt } from '../catalog/products.admin.helpers.js';
import { makeLocation, makeVariants } from '../inventory/inventory.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { auth, customRole, staffSession } from './staff.helpers.js';

/**
 * Low-stock and back-in-stock emails, end to end: stock moves over HTTP, inventory writes the events, the relay
 * hands them to the handler the runtime registers (same deps), and the queued emails go out through a transport.
 */

const silent = pino({ level: 'silent' });
const ADMIN_URL = 'https://admin.shop.example/';

let t: TestApp;
let owner: { id: string; token: string };
let mail: MemoryTransport;
let handlers: EventHandlers;
let alert: ReturnType<typeof stockAlertHandler>;
/** Opted in and able to read inventory: the only ones who should get mail. */
let lead: Awaited<ReturnType<typeof staffSession>>;
let picker: Awaited<ReturnType<typeof staffSession>>;
let location: { id: string; name: string };

beforeAll(async () => {
  t = await createTestApp({ env: { ADMIN_URL, SHOP_NAME: 'Northwind' } });
  owner = await staffSession(t); // may read inventory, never opted in
  mail = new MemoryTransport();
  alert = stockAlertHandler(stockAlertDeps(t.db.db, t.config));
  handlers = new EventHandlers().on(NOTIFICATION_QUEUED, 'send-email', notificationSender(t.db.db, mail));
  for (const type of STOCK_ALERT_EVENT_TYPES) handlers.on(type, 'stock-alert-email', alert);

  const optIn = async (token: string) => {
    const res = await patchMe(token, { stockAlerts: true });
    if (res.statusCode !== 200) throw new Error(`opt-in failed: ${res.statusCode} ${res.body}`);
  };
  lead = await staffSession(t, 'role_catalog_manager');
  await optIn(lead.token);
  // Opted in by an admin rather than by themselves.
  picker = await staffSession(t, await customRole(t, ['inventory:read']));
  expect((await staffPatch(picker.id, { stockAlerts: true })).statusCode).toBe(200);
  // Opted in, but cannot read inventory.
  const blind = await staffSession(t, await customRole(t, ['orders:read', 'catalog:read']));
  await optIn(blind.token);
  // Opted in, then disabled.
  const gone = await staffSession(t, 'role_fulfilment');
  await optIn(gone.token);
  expect((await staffPatch(gone.id, { status: 'disabled' })).statusCode).toBe(200);

  location = await makeLocation(t.db.db);
});
afterAll(async () => {
  await t?.close();
});

const patchMe = (token: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PATCH', url: '/v1/admin/staff/me', headers: auth(token), payload });
const staffPatch = (id: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PATCH', url: `/v1/admin/staff/${id}`, headers: auth(owner.token), payload });
const adjust = async (itemId: string, delta: number) => {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/admin/inventory/items/${itemId}/adjustments`,
    headers: auth(owner.token),
    payload: { locationId: location.id, delta, reason: delta > 0 ? 'received' : 'damaged' },
  });
  if (res.statusCode !== 200) throw new Error(`adjustment failed: ${res.statusCode} ${res.body}`);
};
const setThreshold = async (itemId: string, lowStockThreshold: number) => {
  const res = await t.app.inject({
    method: 'PATCH',
    url: `/v1/admin/inventory/items/${itemId}`,
    headers: auth(owner.token),
    payload: { lowStockThreshold },
  });
  if (res.statusCode !== 200) throw new Error(`threshold failed: ${res.statusCode} ${res.body}`);
};

/** Relay rounds until nothing is left to claim; a handler failure would leave its event pending with an error. */
async function drain() {
  for (let round = 0; round < 100; round++) {
    const n = await relayOnce(
      { db: t.db.db, handlers, logger: silent },
      { batchSize: 50, pollIntervalMs: 10, maxAttempts: 3 },
    );
    if (n === 0) break;
  }
  const failed = await t.db.db
    .selectFrom('outbox_event')
    .select(['type', 'last_error'])
    .where('last_error', 'is not', null)
    .execute();
  expect(failed).toEqual([]);
}

const stockEvents = (itemId: string) =>
  t.db.db
    .selectFrom('outbox_event')
    .select(['id', 'type', 'aggregate_id', 'payload', 'request_id', 'attempts', 'created_at'])
    .where('aggregate_id', '=', itemId)
    .where('type', 'in', [...STOCK_ALERT_EVENT_TYPES])
    .orderBy('id')
    .execute();
const asOutboxEvent = (r: Awaited<ReturnType<typeof stockEvents>>[number]): OutboxEvent => ({
  id: r.id,
  type: r.type,
  aggregateId: r.aggregate_id,
  payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
  requestId: r.request_id,
  attempts: r.attempts,
  createdAt: r.created_at,
});
const sentTo = (sku: string) => mail.sent.filter((m) => m.subject.includes(sku));
const queuedFor = async (sku: string) =>
  (
    await t.db.db
      .selectFrom('notification')
      .select(['recipient', 'template'])
      .where('subject', 'like', `%${sku}%`)
      .execute()
  ).length;

describe('stock alert emails', () => {
  let itemId: string;
  let sku: string;

  it('mail each opted-in, active staff member who can read inventory, once per crossing, with what the merchant needs', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/products',
      headers: auth(owner.token),
      payload: tshirt({ status: 'active', salesChannelIds: ['sc_default'] }),
    });
    expect(created.statusCode).toBe(201);
    const variant = created.json<{ variants: { id: string; sku: string; title: string }[] }>().variants[0];
    if (!variant) throw new Error('no variant');
    sku = variant.sku;
    itemId = (
      await t.db.db
        .selectFrom('inventory_item')
        .select('id')
        .where('variant_id', '=', variant.id)
        .executeTakeFirstOrThrow()
    ).id;
    await setThreshold(itemId, 5);

    await adjust(itemId, 10); // 0 → 10: back in stock
    await adjust(itemId, -3); // 10 → 7: above the threshold, nothing
    await adjust(itemId, -3); // 7 → 4: low
    await adjust(itemId, -1); // 4 → 3: still low, no new crossing
    await drain();

    const mine = sentTo(sku);
    expect(mine.map((m) => m.to).sort()).toEqual([lead.email, lead.email, picker.email, picker.email].sort());
    const back = mine.filter((m) => m.subject.startsWith('[Northwind] Back in stock'));
    const low = mine.filter((m) => m.subject.startsWith('[Northwind] Low stock'));
    expect(back.map((m) => m.to).sort()).toEqual([lead.email, picker.email].sort());
    expect(low.map((m) => m.to).sort()).toEqual([lead.email, picker.email].sort());

    expect(back[0]?.subject).toBe(`[Northwind] Back in stock: ${sku} (10 available)`);
    const backBody = back[0]?.body ?? '';
    expect(backBody).toContain(
      `\nOrganic T-Shirt / ${variant.title} (SKU ${sku}) is back in stock: 10 can be sold again (it was 0; low-stock threshold 5).`,
    );
    expect(backBody).toContain(`- ${location.name}: 10 (changed now)`);
    expect(backBody).toContain(`https://admin.shop.example/inventory/items/${itemId}`);

    expect(low[0]?.subject).toBe(`[Northwind] Low stock: ${sku} (4 left)`);
    const lowBody = low[0]?.body ?? '';
    expect(lowBody).toContain(
      'is running low: 4 can still be sold, at or below its low-stock threshold of 5 (it was 7)',
    );
    expect(lowBody).toContain(`- ${location.name}: 4 (changed now)`);
  });

  it('queue nothing more when the same event is handled again, one after the other or at once', async () => {
    const events = await stockEvents(itemId);
    expect(events.map((e) => e.type)).toEqual(['inventory.back_in_stock', 'inventory.low_stock']);
    const before = await queuedFor(sku);
    expect(before).toBe(4);
    const ctx = { logger: silent, signal: new AbortController().signal };
    for (const e of events) await alert(asOutboxEvent(e), ctx);
    await Promise.all(events.flatMap((e) => [alert(asOutboxEvent(e), ctx), alert(asOutboxEvent(e), ctx)]));
    expect(await queuedFor(sku)).toBe(before);
    await drain();
    expect(sentTo(sku)).toHaveLength(4);
  });

  it('a redelivery still reaches a member who opted in meanwhile, and only them', async () => {
    const late = await staffSession(t, 'role_catalog_manager');
    expect((await patchMe(late.token, { stockAlerts: true })).statusCode).toBe(200);
    const [back] = await stockEvents(itemId);
    if (!back) throw new Error('no event');
    await alert(asOutboxEvent(back), { logger: silent, signal: new AbortController().signal });
    await drain();
    expect(sentTo(sku).map((m) => m.to)).toContain(late.email);
    expect(sentTo(sku)).toHaveLength(5);
    expect((await patchMe(late.token, { stockAlerts: false })).statusCode).toBe(200);
  });

  it('forget claims older than 90 days, keeping recent ones', async () => {
    await t.db.db
      .insertInto('staff_stock_alert')
      .values([
        { event_id: 'evt_long_ago', staff_id: lead.id, created_at: new Date(Date.now() - 91 * 86_400_000) },
        { event_id: 'evt_last_month', staff_id: lead.id, created_at: new Date(Date.now() - 30 * 86_400_000) },
      ])
      .execute();
    const [v] = await makeVariants(t.db.db, 1);
    if (!v) throw new Error('no variant');
    await adjust(v.itemId, 1);
    await drain();
    const kept = await t.db.db
      .selectFrom('staff_stock_alert')
      .select('event_id')
      .where('event_id', 'in', ['evt_long_ago', 'evt_last_month'])
      .execute();
    expect(kept.map((k) => k.event_id)).toEqual(['evt_last_month']);
  });

  it('name a variant the storefront does not show by its SKU alone', async () => {
    const [v] = await makeVariants(t.db.db, 1);
    if (!v) throw new Error('no variant');
    await adjust(v.itemId, 2);
    await drain();
    const mine = sentTo(v.sku);
    expect(mine.map((m) => m.to).sort()).toEqual([lead.email, picker.email].sort());
    expect(mine[0]?.body).toContain(`\nSKU ${v.sku} is back in stock: 2 can be sold again`);
  });

  it('send nothing when no one qualifies any more, and skip a payload that is not a stock event', async () => {
    expect((await staffPatch(lead.id, { stockAlerts: false })).statusCode).toBe(200);
    expect((await staffPatch(picker.id, { roleId: await customRole(t, ['orders:read']) })).statusCode).toBe(200);
    const [v] = await makeVariants(t.db.db, 1);
    if (!v) throw new Error('no variant');
    await adjust(v.itemId, 3);
    expect(await stockEvents(v.itemId)).toHaveLength(1);
    await drain();
    expect(sentTo(v.sku)).toEqual([]);
    expect(await queuedFor(v.sku)).toBe(0);

    expect((await staffPatch(lead.id, { stockAlerts: true })).statusCode).toBe(200);
    const bogus: OutboxEvent = {
      id: 'evt_not_a_stock_event',
      type: 'inventory.low_stock',
      aggregateId: null,
      payload: { itemId: 'iitem_x', sku: 'X' },
      requestId: null,
      attempts: 1,
      createdAt: new Date(),
    };
    await alert(bogus, { logger: silent, signal: new AbortController().signal });
    const claims = await t.db.db
      .selectFrom('staff_stock_alert')
      .select('staff_id')
      .where('event_id', '=', bogus.id)
      .execute();
    expect(claims).toEqual([]);
  });
});
