import { sql } from 'kysely';
import { bearer } from '../identity/customers.helpers.js';
import type { TestApp } from '../support/app.js';
import type { placeOrder } from './placed-order.helpers.js';

/**
 * Requests and reads of the returns tests. `app`, `support` and `fulfilment` (staff tokens) are read when a helper
 * runs, so the kit can be made before the test app exists.
 */
export type Placed = Awaited<ReturnType<typeof placeOrder>>;

export function returnsKit(app: () => TestApp, support: () => string, fulfilment: () => string) {
  type Call = { method: 'GET' | 'POST'; url: string; token?: string | undefined; payload?: Record<string, unknown> };
  const call = ({ method, url, token, payload }: Call) =>
    app().app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });

  /** Marks `shipped` units of each line shipped (as fulfilment does) and moves the order's fulfillment status to shipped. */
  async function ship(order: Placed, shipped: number[] = order.lines.map((l) => l.quantity)) {
    for (const [i, line] of order.lines.entries()) {
      const n = shipped[i] ?? 0;
      await app()
        .db.db.updateTable('order_line')
        .set({ fulfilled_quantity: n, shipped_quantity: n })
        .where('id', '=', line.id)
        .execute();
    }
    await app()
      .db.db.updateTable('order')
      .set({ fulfillment_status: 'shipped' })
      .where('id', '=', order.orderId)
      .execute();
  }

  const requestAsCustomer = (order: Placed, lines: Record<string, unknown>[], token = order.customerToken) =>
    call({ method: 'POST', url: `/v1/store/customers/me/orders/${order.orderId}/returns`, token, payload: { lines } });
  const requestAsStaff = (order: Placed, lines: Record<string, unknown>[], token = support()) =>
    call({ method: 'POST', url: `/v1/admin/orders/${order.orderId}/returns`, token, payload: { lines } });
  const approve = (id: string, token = support()) =>
    call({ method: 'POST', url: `/v1/admin/returns/${id}/approve`, token });
  const reject = (id: string, reason = 'Outside the return window', token = support()) =>
    call({ method: 'POST', url: `/v1/admin/returns/${id}/reject`, token, payload: { reason } });
  const receive = (id: string, payload: Record<string, unknown>, token = fulfilment()) =>
    call({ method: 'POST', url: `/v1/admin/returns/${id}/receive`, token, payload });
  const orderView = async (id: string) =>
    (await call({ method: 'GET', url: `/v1/admin/orders/${id}`, token: support() })).json<{
      fulfillmentStatus: string;
      lines: { id: string; returnedQuantity: number }[];
      returns: { id: string; status: string }[];
      timeline: { kind: string }[];
    }>();
  const onHand = async (variantId: string, locationId: string) => {
    const res = await sql<{ on_hand: number }>`
      select l.on_hand from inventory_level l join inventory_item i on i.id = l.item_id
       where i.variant_id = ${variantId} and l.location_id = ${locationId}`.execute(app().db.db);
    return Number(res.rows[0]?.on_hand ?? 0);
  };
  const events = async (returnId: string) =>
    (
      await app()
        .db.db.selectFrom('outbox_event')
        .select('type')
        .where('aggregate_id', '=', returnId)
        .orderBy('id')
        .execute()
    ).map((e) => e.type);

  return { call, ship, requestAsCustomer, requestAsStaff, approve, reject, receive, orderView, onHand, events };
}
