import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { OrderActor } from './orders.service.js';
import { transition } from './orders.service.js';
import type { FulfillmentStatus } from './orders.state.js';
import './fulfillments.tables.js';

/**
 * The order's fulfillment status is derived from its lines and parcels, never set by hand, under the
 * order's row lock (taken by the caller). Return statuses belong to the returns flow: once an order
 * is (partially) returned, fulfilment changes leave its status alone.
 */

interface Counts {
  ordered: number;
  fulfilled: number;
  shipped: number;
  undelivered: number;
}

/** What the fulfillment status should be, given unit counts and how many parcels are not yet delivered. */
export function deriveFulfillmentStatus(c: Counts): FulfillmentStatus {
  if (c.ordered > 0 && c.shipped >= c.ordered) return c.undelivered === 0 ? 'delivered' : 'shipped';
  if (c.shipped > 0) return 'partially_shipped';
  if (c.ordered > 0 && c.fulfilled >= c.ordered) return 'fulfilled';
  if (c.fulfilled > 0) return 'partially_fulfilled';
  return 'not_fulfilled';
}

const returnStatuses: readonly FulfillmentStatus[] = ['partially_returned', 'returned'];

/**
 * Moves `order.fulfillment_status` to what the lines and parcels say (through `transition`, so the
 * state table is checked and the move is on the timeline). Returns the status now.
 */
export async function syncFulfillmentStatus(tx: Tx, actor: OrderActor, orderId: string): Promise<FulfillmentStatus> {
  const res = await sql<{ current: FulfillmentStatus } & Record<keyof Counts, string>>`
    select o.fulfillment_status as current,
           (select coalesce(sum(l.quantity), 0) from order_line l where l.order_id = o.id) as ordered,
           (select coalesce(sum(l.fulfilled_quantity), 0) from order_line l where l.order_id = o.id) as fulfilled,
           (select coalesce(sum(l.shipped_quantity), 0) from order_line l where l.order_id = o.id) as shipped,
           (select count(*) from fulfillment f where f.order_id = o.id and f.status <> 'delivered') as undelivered
      from "order" o where o.id = ${orderId}`.execute(tx);
  const row = res.rows[0];
  if (!row) throw new Error(`order ${orderId} vanished under its row lock`);
  if (returnStatuses.includes(row.current)) return row.current;
  const target = deriveFulfillmentStatus({
    ordered: Number(row.ordered),
    fulfilled: Number(row.fulfilled),
    shipped: Number(row.shipped),
    undelivered: Number(row.undelivered),
  });
  if (target !== row.current) {
    await transition(tx, actor, { orderId, field: 'fulfillment_status', from: row.current, to: target });
  }
  return target;
}

/**
 * Completes a placed order once every unit is delivered and the money is taken (`paid`, or paid and
 * partly refunded). An order delivered while its payment is only authorized stays `placed` until the
 * capture: the capture flow should call this too. Emits `order.completed`. Returns whether it moved.
 */
export async function completeOrderIfDone(tx: Tx, actor: OrderActor, orderId: string): Promise<boolean> {
  const row = await tx
    .selectFrom('order')
    .select(['status', 'payment_status', 'fulfillment_status'])
    .where('id', '=', orderId)
    .executeTakeFirst();
  if (
    row?.status !== 'placed' ||
    row.fulfillment_status !== 'delivered' ||
    !['paid', 'partially_refunded'].includes(row.payment_status)
  ) {
    return false;
  }
  await transition(tx, actor, {
    orderId,
    field: 'status',
    from: 'placed',
    to: 'completed',
    event: 'order.completed',
    data: { reason: 'delivered_and_paid' },
  });
  return true;
}
