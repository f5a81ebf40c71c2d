import { type RawBuilder, sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import type { FulfillmentT } from './fulfillments.schemas.js';
import './fulfillments.tables.js';

/**
 * Fulfilments as JSON, built in SQL so the order detail stays one statement. Who created a parcel is
 * left out on purpose: this view is also the customer's (it is on the order timeline and audit log).
 */

const iso = (col: string) =>
  sql.raw(
    `case when ${col} is null then null else to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') end`,
  );

/** One fulfilment (`f` is its row) with its lines in the order's line order. */
const fulfillmentObject = sql`json_build_object(
  'id', f.id, 'orderId', f.order_id, 'locationId', f.location_id, 'status', f.status,
  'carrier', f.carrier, 'trackingNumber', f.tracking_number, 'trackingUrl', f.tracking_url,
  'createdAt', ${iso('f.created_at')}, 'shippedAt', ${iso('f.shipped_at')}, 'deliveredAt', ${iso('f.delivered_at')},
  'lines', coalesce((select json_agg(json_build_object(
      'lineId', fl.order_line_id, 'variantId', l.variant_id, 'sku', l.sku, 'title', l.title,
      'variantTitle', l.variant_title, 'quantity', fl.quantity) order by l.position)
    from fulfillment_line fl join order_line l on l.id = fl.order_line_id
    where fl.fulfillment_id = f.id), '[]'::json))`;

/** The order's fulfilments, oldest first, for the order detail statement (`o` is the order row). */
export const fulfillmentsJson: RawBuilder<unknown> = sql`coalesce((select json_agg(${fulfillmentObject} order by f.id)
  from fulfillment f where f.order_id = o.id), '[]'::json)`;

/** One fulfilment of an order, or undefined (another order's fulfilment counts as not found). */
export async function findFulfillment(
  db: Queryable,
  orderId: string,
  fulfillmentId: string,
): Promise<FulfillmentT | undefined> {
  const res = await sql<{ f: FulfillmentT }>`
    select ${fulfillmentObject} as f from fulfillment f where f.id = ${fulfillmentId} and f.order_id = ${orderId}`.execute(
    db,
  );
  return res.rows[0]?.f;
}

/** The order's fulfilments oldest first, or undefined when the order does not exist. */
export async function listFulfillments(db: Queryable, orderId: string): Promise<FulfillmentT[] | undefined> {
  const res = await sql<{ data: FulfillmentT[] }>`
    select coalesce((select json_agg(${fulfillmentObject} order by f.id) from fulfillment f where f.order_id = o.id),
                    '[]'::json) as data
      from "order" o where o.id = ${orderId}`.execute(db);
  return res.rows[0]?.data;
}
