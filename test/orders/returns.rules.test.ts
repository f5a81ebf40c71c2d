import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../identity/customers.helpers.js';
import { staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { placeOrder } from './placed-order.helpers.js';
import { returnsKit } from './returns.helpers.js';

/** Return rules: quantities, order and return states, receipt lines, listing, and who may do what. */

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

const { call, ship, requestAsCustomer, requestAsStaff, approve, reject, receive, events } = returnsKit(
  () => t,
  () => support,
  () => fulfilment,
);

describe('return rules', () => {
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
