import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { placeOrder } from './placed-order.helpers.js';
import { returnsKit } from './returns.helpers.js';

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

const { call, ship, requestAsCustomer, requestAsStaff, approve, receive, orderView, onHand, events } = returnsKit(
  () => t,
  () => support,
  () => fulfilment,
);

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
});
