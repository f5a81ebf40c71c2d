import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complete, readyCart } from '../checkout/completion.helpers.js';
import { bearer, login, me } from '../identity/customers.helpers.js';
import { auth, staffSession } from '../identity/staff.helpers.js';
import { type PlacedOrder, placeOrder } from '../orders/placed-order.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let owner: { token: string };
let support: { token: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await staffSession(t);
  support = await staffSession(t, 'role_support');
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, token = owner.token) => t.app.inject({ method: 'GET', url, headers: auth(token) });
const erase = (id: string, confirm: string, token = owner.token) =>
  t.app.inject({ method: 'POST', url: `/v1/admin/customers/${id}/erase`, headers: auth(token), payload: { confirm } });

interface Subject {
  id: string;
  email: string;
  password: string;
  token: string;
  order: PlacedOrder;
  guestOrderId: string;
}

/**
 * A customer with a name, phone, tags, a note, an address, an order placed signed in and a guest order placed with
 * the same email in other case — everything a privacy request has to find.
 */
async function subject(): Promise<Subject> {
  const order = await placeOrder(t, { customer: true });
  const token = order.customerToken ?? '';
  const id = (await me(t, token)).json<{ id: string }>().id;
  const detail = (await get(`/v1/admin/customers/${id}`)).json<{ version: number }>();
  const patched = await t.app.inject({
    method: 'PATCH',
    url: `/v1/admin/customers/${id}`,
    headers: { ...auth(owner.token), 'if-match': String(detail.version) },
    payload: { firstName: 'Grace', lastName: 'Hopper', phone: '+1 555 0100', tags: ['vip'] },
  });
  expect(patched.statusCode, patched.body).toBe(200);
  const note = await t.app.inject({
    method: 'POST',
    url: `/v1/admin/customers/${id}/notes`,
    headers: auth(owner.token),
    payload: { body: 'Grace asked for gift wrap' },
  });
  expect(note.statusCode).toBe(201);
  const addr = await t.app.inject({
    method: 'POST',
    url: '/v1/store/customers/me/addresses',
    headers: bearer(token),
    payload: {
      firstName: 'Grace',
      lastName: 'Hopper',
      line1: 'Navy Yard 7',
      city: 'Arlington',
      postalCode: '22202',
      countryCode: 'US',
    },
  });
  expect(addr.statusCode, addr.body).toBe(201);
  const guest = await readyCart(t, { email: order.email.toUpperCase() });
  const placed = await complete(t, guest.cartId);
  expect(placed.statusCode, placed.body).toBe(200);
  return {
    id,
    email: order.email,
    password: 'correct horse battery staple',
    token,
    order,
    guestOrderId: placed.json<{ order: { id: string } }>().order.id,
  };
}

describe('GET /v1/admin/customers/{id}/export', () => {
  it('downloads everything held about the customer as a JSON attachment, never a token', async () => {
    const s = await subject();
    const res = await get(`/v1/admin/customers/${s.id}/export`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="customer-${s.id}.json"`);
    const doc = res.json();
    expect(doc.format).toBe('backroom.customer-export/1');
    expect(doc.profile).toMatchObject({ id: s.id, email: s.email, firstName: 'Grace', phone: '+1 555 0100' });
    expect(doc.consents).toEqual({ emailVerified: false, marketing: null });
    expect(doc.addresses.map((a: { line1: string }) => a.line1)).toEqual(['Navy Yard 7']);
    expect(doc.notes.map((n: { body: string }) => n.body)).toEqual(['Grace asked for gift wrap']);
    expect(doc.sessions.length).toBeGreaterThanOrEqual(1);
    expect(doc.sessions[0]).toHaveProperty('createdAt');
    expect(doc.oneTimeTokens.map((x: { purpose: string }) => x.purpose)).toContain('email_verification');
    // The order placed signed in and the guest order with the same email (other case), with lines and addresses.
    const orders = doc.orders as { id: string; lines: unknown[]; shippingAddress: { line1: string } }[];
    expect(orders.map((o) => o.id).sort()).toEqual([s.order.orderId, s.guestOrderId].sort());
    expect(orders[0]?.lines.length).toBeGreaterThan(0);
    expect(orders[0]?.shippingAddress.line1).toBe('Unter den Linden 1');
    expect(doc.payments.map((p: { id: string }) => p.id)).toContain(s.order.paymentId);
    expect(doc.payments[0].transactions.length).toBeGreaterThan(0);
    expect(doc.carts.length).toBeGreaterThanOrEqual(2);
    expect(doc.notifications.map((n: { template: string }) => n.template)).toEqual(
      expect.arrayContaining(['email-verification', 'order-confirmation']),
    );
    expect(doc.auditLog.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining(['customer.registered', 'customer.updated', 'customer.note_added']),
    );
    const text = res.body;
    expect(text).not.toContain(s.token);
    expect(text).not.toMatch(/token_?hash|password/i);
  });

  it('is refused to support staff (customers:export), to customers and without credentials; 404 for an unknown id', async () => {
    const s = await subject();
    expect((await get(`/v1/admin/customers/${s.id}/export`, support.token)).statusCode).toBe(403);
    expect((await get(`/v1/admin/customers/${s.id}/export`, s.token)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/v1/admin/customers/${s.id}/export` })).statusCode).toBe(401);
    expect((await get('/v1/admin/customers/cus_nope/export')).statusCode).toBe(404);
  });
});

describe('POST /v1/admin/customers/{id}/erase', () => {
  it('refuses without the typed email (422), for support (403) and for an unknown id (404); nothing changes', async () => {
    const s = await subject();
    const wrong = await erase(s.id, 'someone@else.example');
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ code: 'ERASURE_NOT_CONFIRMED', errors: [{ path: '/body/confirm' }] });
    expect((await erase(s.id, s.email, support.token)).statusCode).toBe(403);
    expect((await erase('cus_nope', s.email)).statusCode).toBe(404);
    const bad = await t.app.inject({
      method: 'POST',
      url: `/v1/admin/customers/${s.id}/erase`,
      headers: auth(owner.token),
      payload: {},
    });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('confirm');
    const row = await t.db.db
      .selectFrom('customer')
      .select(['email', 'erased_at'])
      .where('id', '=', s.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ email: s.email, erased_at: null });
    expect((await me(t, s.token)).statusCode).toBe(200);
  });

  it('removes the personal data from identity, carts and orders, keeps totals and payments, and is idempotent', async () => {
    const s = await subject();
    const db = t.db.db;
    const orderIds = [s.order.orderId, s.guestOrderId];
    const before = await db
      .selectFrom('order')
      .select(['id', 'total', 'subtotal', 'tax_total', 'status', 'cart_id'])
      .where('id', 'in', orderIds)
      .orderBy('id')
      .execute();
    const paymentsBefore = await db
      .selectFrom('payment')
      .select(['id', 'amount', 'authorized', 'captured', 'refunded', 'order_id'])
      .where('order_id', 'in', orderIds)
      .orderBy('id')
      .execute();

    const res = await erase(s.id, `  ${s.email.toUpperCase()} `);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      customerId: s.id,
      alreadyErased: false,
      counts: { addresses: 1, notes: 1, orders: 2 },
    });

    const c = await db.selectFrom('customer').selectAll().where('id', '=', s.id).executeTakeFirstOrThrow();
    expect(c).toMatchObject({
      email: `erased-${s.id}@erased.invalid`,
      first_name: null,
      last_name: null,
      phone: null,
      tags: [],
      password_hash: null,
      status: 'disabled',
    });
    expect(c.erased_at).not.toBeNull();
    const left = async (table: 'customer_address' | 'customer_note') =>
      (await db.selectFrom(table).select('id').where('customer_id', '=', s.id).execute()).length;
    expect(await left('customer_address')).toBe(0);
    expect(await left('customer_note')).toBe(0);
    const sessions = await db.selectFrom('auth_session').select('id').where('subject_id', '=', s.id).execute();
    expect(sessions).toEqual([]);

    // Carts: no contact data, no link.
    const carts = await db
      .selectFrom('cart')
      .select(['email', 'shipping_address', 'billing_address', 'customer_id'])
      .where(
        'id',
        'in',
        before.map((o) => o.cart_id ?? ''),
      )
      .execute();
    expect(carts).toHaveLength(2);
    for (const cart of carts) {
      expect(cart).toEqual({ email: null, shipping_address: null, billing_address: null, customer_id: null });
    }

    // Orders: placeholders and no link; money untouched.
    const after = await db
      .selectFrom('order')
      .select(['id', 'total', 'subtotal', 'tax_total', 'status', 'cart_id', 'email', 'customer_id'])
      .select(sql<string>`shipping_address::text`.as('ship'))
      .where('id', 'in', orderIds)
      .orderBy('id')
      .execute();
    for (const [i, o] of after.entries()) {
      expect(o).toMatchObject({ ...before[i], email: `erased-${o.id}@erased.invalid`, customer_id: null });
      expect(o.ship).not.toMatch(/Lovelace|Unter den Linden|10117|Berlin/);
      expect(o.ship).toContain('"countryCode": "DE"');
    }
    const lowerEmail = s.email.toLowerCase();
    const leaks = await sql<{ n: number }>`
      select count(*)::int as n from order_event where order_id = any(${orderIds}::text[]) and lower(data::text) like ${`%${lowerEmail}%`}`.execute(
      db,
    );
    expect(leaks.rows[0]?.n).toBe(0);
    const paymentsAfter = await db
      .selectFrom('payment')
      .select(['id', 'amount', 'authorized', 'captured', 'refunded', 'order_id'])
      .where('order_id', 'in', orderIds)
      .orderBy('id')
      .execute();
    expect(paymentsAfter).toEqual(paymentsBefore);
    const mails = await sql<{ n: number }>`
      select count(*)::int as n from notification where lower(recipient) = ${lowerEmail}`.execute(db);
    expect(mails.rows[0]?.n).toBe(0);

    // Signed out everywhere and unable to sign in.
    expect((await me(t, s.token)).statusCode).toBe(401);
    expect((await login(t, s.email, s.password)).statusCode).toBe(401);

    // Audited without personal data; announced.
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'changes'])
      .where('target_id', '=', s.id)
      .where('action', '=', 'customer.erased')
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]?.changes).toLowerCase()).not.toContain(lowerEmail.split('@')[0]);
    const events = await db
      .selectFrom('outbox_event')
      .select('type')
      .where('aggregate_id', '=', s.id)
      .where('type', '=', 'customer.erased')
      .execute();
    expect(events).toHaveLength(1);
    // Their orders' events (order.placed carries the email) keep type and position, lose the email.
    const orderEvents = await db
      .selectFrom('outbox_event')
      .select(['type', 'payload'])
      .where('aggregate_id', 'in', orderIds)
      .execute();
    expect(orderEvents.map((e) => e.type)).toContain('order.placed');
    expect(JSON.stringify(orderEvents).toLowerCase()).not.toContain(lowerEmail);
    expect(res.json().counts.events).toBeGreaterThan(0);

    // Idempotent: a repeat changes nothing, whatever it confirms.
    const again = await erase(s.id, s.email);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ alreadyErased: true });
    const audits = await db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'customer.erased')
      .where('target_id', '=', s.id)
      .execute();
    expect(audits).toHaveLength(1);

    // The export now shows placeholders only; the staff API too.
    const exported = await get(`/v1/admin/customers/${s.id}/export`);
    expect(exported.statusCode).toBe(200);
    expect(exported.json().orders).toEqual([]);
    for (const leak of [lowerEmail, 'grace', 'hopper', 'navy yard', '555 0100', 'lovelace']) {
      expect(exported.body.toLowerCase(), leak).not.toContain(leak);
    }
    const detail = (await get(`/v1/admin/customers/${s.id}`)).json();
    expect(detail).toMatchObject({
      erased: true,
      email: `erased-${s.id}@erased.invalid`,
      firstName: null,
      addresses: [],
    });
    const edit = await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/customers/${s.id}`,
      headers: { ...auth(owner.token), 'if-match': String(detail.version) },
      payload: { firstName: 'Grace' },
    });
    expect(edit.statusCode).toBe(409);
    // The email is free again: the person may register anew.
    const fresh = await t.app.inject({
      method: 'POST',
      url: '/v1/store/customers',
      payload: { email: s.email, password: s.password },
    });
    expect(fresh.statusCode).toBe(201);
  });
});
