import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signUp } from '../identity/customers.helpers.js';
import { staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { placeOrder } from './placed-order.helpers.js';

/** Returns: asked for by the customer or staff, approved or rejected, received with or without restock. */

let t: TestApp;
let support: string;
let fulfilment: string;
beforeAll(async () => {
  t = await createTestApp();
  support = (await staffSession(t, 'role_support')).token;
  fulfilment = (await staffSession(t, 'role_fulfilment')).token;
});
afterAll(async () => {
  await t?.close();
});

type Placed = Awaited<ReturnType<typeof placeOrder>>;
type Call = { method: 'GET' | 'POST'; url: string; token?: string | undefined; payload?: Record<string, unknown> };
const call = ({ method, url, token, payload }: Call) =>
  t.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });

/** Marks `shipped` units of each line shipped (as fulfilment does) and moves the order's fulfillment status to shipped. */
async function ship(order: Placed, shipped: number[] = order.lines.map((l) => l.quantity)) {
  for (const [i, line] of order.lines.entries()) {
    const n = shipped[i] ?? 0;
    await t.db.db
      .updateTable('order_line')
      .set({ fulfilled_quantity: n, shipped_quantity: n })
      .where('id', '=', line.id)
      .execute();
  }
  await t.db.db.updateTable('order').set({ fulfillment_status: 'shipped' }).where('id', '=', order.orderId).execute();
}

const requestAsCustomer = (order: Placed, lines: Record<string, unknown>[], token = order.customerToken) =>
  call({ method: 'POST', url: `/v1/store/customers/me/orders/${order.orderId}/returns`, token, payload: { lines } });
const requestAsStaff = (order: Placed, lines: Record<string, unknown>[], token = support) =>
  call({ method: 'POST', url: `/v1/admin/orders/${order.orderId}/returns`, token, payload: { lines } });
const approve = (id: string, token = support) =>
  call({ method: 'POST', url: `/v1/admin/returns/${id}/approve`, token });
const reject = (id: string, reason = 'Outside the return window', token = support) =>
  call({ method: 'POST', url: `/v1/admin/returns/${id}/reject`, token, payload: { reason } });
const receive = (id: string, payload: Record<string, unknown>, token = fulfilment) =>
  call({ method: 'POST', url: `/v1/admin/returns/${id}/receive`, token, payload });
const orderView = async (id: string) =>
  (await call({ method: 'GET', url: `/v1/admin/orders/${id}`, token: support })).json<{
    fulfillmentStatus: string;
    lines: { id: string; returnedQuantity: number }[];
    returns: { id: string; status: string }[];
    timeline: { kind: string }[];
  }>();
const onHand = async (variantId: string, locationId: string) => {
  const res = await sql<{ on_hand: number }>`
    select l.on_hand from inventory_level l join inventory_item i on i.id = l.item_id
     where i.variant_id = ${variantId} and l.location_id = ${locationId}`.execute(t.db.db);
  return Number(res.rows[0]?.on_hand ?? 0);
};
const events = async (returnId: string) =>
  (
    await t.db.db.selectFrom('outbox_event').select('type').where('aggregate_id', '=', returnId).orderBy('id').execute()
  ).map((e) => e.type);

describe('returns', () => {
  it('a customer asks to return shipped items of their own order; staff approve and receive with restock', async () => {
    const order = await placeOrder(t, { quantities: [3, 1], customer: true, capture: true });
    await ship(order);
    const [a, b] = order.lines;
    if (!a || !b) throw new Error('two lines expected');
    const asked = await requestAsCustomer(order, [
      { orderLineId: a.id, quantity: 2, reason: 'damaged', note: 'Box crushed' },
      { orderLineId: b.id, quantity: 1, reason: 'no_longer_needed' },
    ]);
    expect(asked.statusCode, asked.body).toBe(201);
    const ret = asked.json<{ id: string; lines: { id: string; orderLineId: string }[] }>();
    expect(ret).toMatchObject({
      id: expect.stringMatching(/^ret_/),
      orderId: order.orderId,
      status: 'requested',
      requestedBy: { type: 'customer' },
      refundedAmount: { amount: 0 },
      lines: [
        { orderLineId: a.id, quantity: 2, reason: 'damaged', note: 'Box crushed', receivedQuantity: 0 },
        { orderLineId: b.id, quantity: 1, reason: 'no_longer_needed' },
      ],
    });
    const mine = await call({
      method: 'GET',
      url: `/v1/store/customers/me/orders/${order.orderId}/returns`,
      token: order.customerToken,
    });
    expect(mine.json()).toMatchObject({ data: [{ id: ret.id, status: 'requested' }], nextCursor: null });

    const approved = await approve(ret.id);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', approvedAt: expect.any(String) });
    const mail = await t.db.db
      .selectFrom('notification')
      .select(['template', 'recipient'])
      .where('template', '=', 'return-approved')
      .where('recipient', '=', order.email)
      .execute();
    expect(mail).toHaveLength(1);

    const [la, lb] = ret.lines;
    const before = await onHand(a.variantId, order.locationId);
    const beforeB = await onHand(b.variantId, order.locationId);
    const received = await receive(ret.id, {
      lines: [
        { returnLineId: la?.id, quantity: 2, restock: true, locationId: order.locationId },
        { returnLineId: lb?.id, quantity: 1, restock: false },
      ],
    });
    expect(received.statusCode, received.body).toBe(200);
    expect(received.json()).toMatchObject({
      return: {
        status: 'received',
        receivedAt: expect.any(String),
        lines: [
          { receivedQuantity: 2, restockedQuantity: 2 },
          { receivedQuantity: 1, restockedQuantity: 0 },
        ],
      },
      refund: null,
      refundError: null,
    });
    // Restock goes through the stock ledger; the unrestocked line leaves stock alone.
    expect(await onHand(a.variantId, order.locationId)).toBe(before + 2);
    expect(await onHand(b.variantId, order.locationId)).toBe(beforeB);
    const movements = await t.db.db
      .selectFrom('stock_movement')
      .selectAll()
      .where('reference_id', '=', order.orderId)
      .where('reason', '=', 'return')
      .execute();
    expect(movements.map((m) => m.delta_on_hand)).toEqual([2]);

    const view = await orderView(order.orderId);
    expect(view.fulfillmentStatus).toBe('partially_returned');
    expect(view.lines.map((l) => l.returnedQuantity)).toEqual([2, 1]);
    expect(view.returns).toMatchObject([{ id: ret.id, status: 'received' }]);
    expect(view.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['return.requested', 'return.approved', 'return.received', 'fulfillment_status.changed']),
    );
    expect(await events(ret.id)).toEqual(['return.requested', 'return.approved', 'return.received']);
  });

  it('the last unit back makes the order returned; staff can open a return too', async () => {
    const order = await placeOrder(t, { quantities: [2] });
    await ship(order);
    const line = order.lines[0];
    if (!line) throw new Error('line expected');
    for (const quantity of [1, 1]) {
      const res = await requestAsStaff(order, [{ orderLineId: line.id, quantity, reason: 'wrong_item' }]);
      expect(res.statusCode, res.body).toBe(201);
      const ret = res.json<{ id: string; requestedBy: { type: string }; lines: { id: string }[] }>();
      expect(ret.requestedBy).toMatchObject({ type: 'staff', id: expect.stringMatching(/^stf_/) });
      expect((await approve(ret.id)).statusCode).toBe(200);
      const got = await receive(ret.id, { lines: [{ returnLineId: ret.lines[0]?.id, quantity, restock: false }] });
      expect(got.statusCode, got.body).toBe(200);
    }
    const view = await orderView(order.orderId);
    expect(view.fulfillmentStatus).toBe('returned');
    expect(view.lines[0]?.returnedQuantity).toBe(2);
  });

  it('works with real fulfilment: ship with the fulfilment routes, return, receive', async () => {
    const order = await placeOrder(t, { quantities: [2, 1], customer: true, capture: true });
    const [a, b] = order.lines;
    if (!a || !b) throw new Error('two lines expected');
    const shipLines = async (lines: { lineId: string; quantity: number }[]) => {
      const made = await call({
        method: 'POST',
        url: `/v1/admin/orders/${order.orderId}/fulfillments`,
        token: fulfilment,
        payload: { lines },
      });
      expect(made.statusCode, made.body).toBe(201);
      const shipped = await call({
        method: 'POST',
        url: `/v1/admin/orders/${order.orderId}/fulfillments/${made.json<{ id: string }>().id}/ship`,
        token: fulfilment,
        payload: { carrier: 'DHL', trackingNumber: '00340434161234567890', notifyCustomer: false },
      });
      expect(shipped.statusCode, shipped.body).toBe(200);
    };
    await shipLines([{ lineId: a.id, quantity: 2 }]);
    // Line b is not shipped yet: nothing of it can be returned.
    const early = await requestAsCustomer(order, [{ orderLineId: b.id, quantity: 1, reason: 'other' }]);
    expect(early.json()).toMatchObject({ code: 'RETURN_QUANTITY_EXCEEDED', errors: [{ path: '/lines/0/quantity' }] });
    const ret = (await requestAsCustomer(order, [{ orderLineId: a.id, quantity: 1, reason: 'damaged' }])).json<{
      id: string;
      lines: { id: string }[];
    }>();
    await approve(ret.id);
    const got = await receive(ret.id, { lines: [{ returnLineId: ret.lines[0]?.id, quantity: 1, restock: true }] });
    expect(got.statusCode, got.body).toBe(200);
    let view = await orderView(order.orderId);
    expect(view.lines.map((l) => l.returnedQuantity)).toEqual([1, 0]);
    // orders.state.ts has no edge partially_shipped → partially_returned: the receipt counts, the status stays.
    expect(view.fulfillmentStatus).toBe('partially_shipped');
    await shipLines([{ lineId: b.id, quantity: 1 }]);
    view = await orderView(order.orderId);
    expect(view.fulfillmentStatus).toBe('shipped');
    const second = (await requestAsCustomer(order, [{ orderLineId: b.id, quantity: 1, reason: 'wrong_item' }])).json<{
      id: string;
      lines: { id: string }[];
    }>();
    await approve(second.id);
    await receive(second.id, { lines: [{ returnLineId: second.lines[0]?.id, quantity: 1, restock: false }] });
    view = await orderView(order.orderId);
    expect(view.fulfillmentStatus).toBe('partially_returned');
  });

  it("shows the customer a staff-opened return without the staff member's id (staff still see it)", async () => {
    const order = await placeOrder(t, { customer: true, quantities: [1] });
    await ship(order);
    const opened = await requestAsStaff(order, [{ orderLineId: order.lines[0]?.id, quantity: 1, reason: 'damaged' }]);
    expect(opened.statusCode, opened.body).toBe(201);
    const mine = await call({
      method: 'GET',
      url: `/v1/store/customers/me/orders/${order.orderId}`,
      token: order.customerToken,
    });
    const staffView = await call({ method: 'GET', url: `/v1/admin/orders/${order.orderId}`, token: support });
    type Returns = { returns: { requestedBy: { type: string; id: string | null } }[] };
    expect(mine.json<Returns>().returns[0]?.requestedBy).toEqual({ type: 'staff', id: null });
    expect(staffView.json<Returns>().returns[0]?.requestedBy).toMatchObject({
      type: 'staff',
      id: expect.stringMatching(/^stf_/),
    });
    const lookup = await t.app.inject({
      method: 'POST',
      url: '/v1/store/orders/lookup',
      payload: { number: order.number, email: order.email },
    });
    expect(lookup.json<Returns>().returns[0]?.requestedBy.id).toBeNull();
  });

  it('refuses more than was shipped and not yet being returned (422 naming /lines/i/quantity), changing nothing', async () => {
    const order = await placeOrder(t, { quantities: [3, 2], customer: true });
    await ship(order, [2, 0]);
    const [a, b] = order.lines;
    if (!a || !b) throw new Error('two lines expected');
    const tooMany = await requestAsCustomer(order, [
      { orderLineId: a.id, quantity: 2, reason: 'damaged' },
      { orderLineId: b.id, quantity: 1, reason: 'damaged' },
    ]);
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json()).toMatchObject({
      code: 'RETURN_QUANTITY_EXCEEDED',
      errors: [{ path: '/lines/1/quantity', message: 'must be at most 0' }],
    });
    const open = await requestAsCustomer(order, [{ orderLineId: a.id, quantity: 2, reason: 'damaged' }]);
    expect(open.statusCode).toBe(201);
    // Units in an open return cannot be asked for again …
    const again = await requestAsCustomer(order, [{ orderLineId: a.id, quantity: 1, reason: 'other' }]);
    expect(again.json()).toMatchObject({ code: 'RETURN_QUANTITY_EXCEEDED', errors: [{ path: '/lines/0/quantity' }] });
    // … until that return is rejected.
    expect((await reject(open.json<{ id: string }>().id)).statusCode).toBe(200);
    expect((await requestAsCustomer(order, [{ orderLineId: a.id, quantity: 2, reason: 'other' }])).statusCode).toBe(
      201,
    );

    const foreign = await requestAsCustomer(order, [{ orderLineId: 'ordl_nope', quantity: 1, reason: 'other' }]);
    expect(foreign.json()).toMatchObject({ code: 'RETURN_LINES_INVALID', errors: [{ path: '/lines/0/orderLineId' }] });
    const badReason = await requestAsCustomer(order, [{ orderLineId: a.id, quantity: 1, reason: 'bored' }]);
    expect(badReason.statusCode).toBe(400);
    const rows = await t.db.db
      .selectFrom('return_request')
      .select('status')
      .where('order_id', '=', order.orderId)
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.status)).toEqual(['rejected', 'requested']);
  });

  it('only placed or completed orders take returns (409)', async () => {
    const order = await placeOrder(t, { quantities: [1] });
    await ship(order);
    await t.db.db.updateTable('order').set({ status: 'cancelled' }).where('id', '=', order.orderId).execute();
    const res = await requestAsStaff(order, [{ orderLineId: order.lines[0]?.id, quantity: 1, reason: 'other' }]);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'ORDER_NOT_RETURNABLE' });
  });

  it('moves only requested → approved | rejected → received: a rejected return cannot be received (409)', async () => {
    const order = await placeOrder(t, { quantities: [2] });
    await ship(order);
    const ret = (
      await requestAsStaff(order, [{ orderLineId: order.lines[0]?.id, quantity: 2, reason: 'damaged' }])
    ).json<{
      id: string;
      lines: { id: string }[];
    }>();
    const lines = [{ returnLineId: ret.lines[0]?.id, quantity: 2, restock: true }];
    // Not approved yet.
    expect((await receive(ret.id, { lines })).json()).toMatchObject({ code: 'INVALID_RETURN_TRANSITION' });
    const rejected = await reject(ret.id, 'Used item');
    expect(rejected.json()).toMatchObject({ status: 'rejected', rejectionReason: 'Used item' });
    const late = await receive(ret.id, { lines });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'INVALID_RETURN_TRANSITION', from: 'rejected', action: 'received' });
    expect((await approve(ret.id)).statusCode).toBe(409);
    expect((await reject(ret.id)).statusCode).toBe(409);
    const line = await t.db.db
      .selectFrom('order_line')
      .select('returned_quantity')
      .where('id', '=', order.lines[0]?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(line.returned_quantity).toBe(0);
    expect(await events(ret.id)).toEqual(['return.requested', 'return.rejected']);
  });

  it('checks receipt lines: more than asked for, a line of another return, nothing at all (422)', async () => {
    const order = await placeOrder(t, { quantities: [2] });
    await ship(order);
    const ret = (
      await requestAsStaff(order, [{ orderLineId: order.lines[0]?.id, quantity: 1, reason: 'damaged' }])
    ).json<{
      id: string;
      lines: { id: string }[];
    }>();
    await approve(ret.id);
    const lineId = ret.lines[0]?.id;
    const over = await receive(ret.id, { lines: [{ returnLineId: lineId, quantity: 2, restock: false }] });
    expect(over.json()).toMatchObject({ code: 'RETURN_QUANTITY_EXCEEDED', errors: [{ path: '/lines/0/quantity' }] });
    const other = await receive(ret.id, { lines: [{ returnLineId: 'retl_other', quantity: 1, restock: false }] });
    expect(other.json()).toMatchObject({ code: 'RETURN_LINES_INVALID', errors: [{ path: '/lines/0/returnLineId' }] });
    const none = await receive(ret.id, { lines: [{ returnLineId: lineId, quantity: 0, restock: false }] });
    expect(none.json()).toMatchObject({ code: 'RETURN_LINES_INVALID', errors: [{ path: '/lines' }] });
    const where = await receive(ret.id, {
      lines: [{ returnLineId: lineId, quantity: 1, restock: true, locationId: 'sloc_nowhere' }],
    });
    expect(where.json()).toMatchObject({ code: 'RETURN_LINES_INVALID', errors: [{ path: '/lines/0/locationId' }] });
    expect((await call({ method: 'GET', url: `/v1/admin/returns/${ret.id}`, token: support })).json()).toMatchObject({
      status: 'approved',
    });
  });

  it('lists returns for staff with filters and a cursor', async () => {
    const order = await placeOrder(t, { quantities: [3] });
    await ship(order);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await requestAsStaff(order, [{ orderLineId: order.lines[0]?.id, quantity: 1, reason: 'other' }]);
      ids.push(res.json<{ id: string }>().id);
    }
    await approve(ids[0] ?? '');
    const page = await call({
      method: 'GET',
      url: `/v1/admin/returns?orderId=${order.orderId}&limit=2`,
      token: support,
    });
    const body = page.json<{ data: { id: string }[]; nextCursor: string }>();
    expect(body.data.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const rest = await call({
      method: 'GET',
      url: `/v1/admin/returns?orderId=${order.orderId}&limit=2&cursor=${body.nextCursor}`,
      token: support,
    });
    expect(rest.json()).toMatchObject({ data: [{ id: ids[0] }], nextCursor: null });
    const approved = await call({
      method: 'GET',
      url: `/v1/admin/returns?orderId=${order.orderId}&status=approved`,
      token: support,
    });
    expect(approved.json<{ data: { id: string }[] }>().data.map((r) => r.id)).toEqual([ids[0]]);
    expect((await call({ method: 'GET', url: '/v1/admin/returns/ret_missing', token: support })).statusCode).toBe(404);
  });

  it("guards the routes: anonymous 401, another customer's order 404, missing permissions 403", async () => {
    const order = await placeOrder(t, { quantities: [1], customer: true });
    await ship(order);
    const lines = [{ orderLineId: order.lines[0]?.id, quantity: 1, reason: 'damaged' }];
    const anonymous = await call({
      method: 'POST',
      url: `/v1/store/customers/me/orders/${order.orderId}/returns`,
      payload: { lines },
    });
    expect(anonymous.statusCode).toBe(401);
    const intruder = await signUp(t);
    const stolen = await requestAsCustomer(order, lines, intruder.token);
    expect(stolen.statusCode).toBe(404);
    const peek = await call({
      method: 'GET',
      url: `/v1/store/customers/me/orders/${order.orderId}/returns`,
      token: intruder.token,
    });
    expect(peek.statusCode).toBe(404);
    // Fulfilment staff cannot open or decide returns; support staff cannot receive goods.
    expect((await requestAsStaff(order, lines, fulfilment)).statusCode).toBe(403);
    const ret = (await requestAsStaff(order, lines)).json<{ id: string; lines: { id: string }[] }>();
    // The customer sees that staff opened it, not who.
    const own = await call({
      method: 'GET',
      url: `/v1/store/customers/me/orders/${order.orderId}/returns`,
      token: order.customerToken,
    });
    expect(own.json()).toMatchObject({ data: [{ id: ret.id, requestedBy: { type: 'staff', id: null } }] });
    expect((await approve(ret.id, fulfilment)).statusCode).toBe(403);
    await approve(ret.id);
    const got = await receive(
      ret.id,
      { lines: [{ returnLineId: ret.lines[0]?.id, quantity: 1, restock: false }] },
      support,
    );
    expect(got.statusCode).toBe(403);
    // Refunding on receipt needs orders:refund as well.
    const withRefund = await receive(ret.id, {
      lines: [{ returnLineId: ret.lines[0]?.id, quantity: 1, restock: false }],
      refund: { amount: { amount: 100, currency: 'EUR' } },
    });
    expect(withRefund.statusCode).toBe(403);
    const rows = await t.db.db
      .selectFrom('return_request')
      .select('status')
      .where('order_id', '=', order.orderId)
      .execute();
    expect(rows.map((r) => r.status)).toEqual(['approved']);
  });
});
