import { sql } from 'kysely';
import { flushQueuedWrites } from '../../platform/db/before-commit.js';
import type { Queryable } from '../../platform/db/database.js';
import { fulfillmentsJson } from './fulfillments.view.js';
import type { OrderDetailT } from './orders.schemas.js';
import { returnsJson } from './returns.view.js';
import './orders.tables.js';

/** The before-commit queue of timeline rows (`timeline()` writes through it; readers here flush it first). */
export const timelineKind = 'order_event';

/** Reads of orders: a detail (lines and timeline included) in one statement (lists: orders.list.ts). */

const money = (col: string) => sql.raw(`json_build_object('amount', ${col}, 'currency', o.currency)`);
const iso = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

// The name a list shows: the billing name when the order has its own billing address, else the shipping name
// (an order without one stores a JSON null, not SQL NULL).
const named = `coalesce(nullif(o.billing_address, 'null'::jsonb), o.shipping_address)`;
const customerName = sql.raw(
  `nullif(trim(coalesce((${named} ->> 'firstName'), '') || ' ' || coalesce((${named} ->> 'lastName'), '')), '')`,
);

/** The fields of an order summary (lists), as arguments of json_build_object over `o`. */
export const summaryFields = sql`
  'id', o.id, 'number', o.number, 'email', o.email, 'customerId', o.customer_id, 'customerName', ${customerName},
  'salesChannelId', o.sales_channel_id,
  'status', o.status, 'paymentStatus', o.payment_status, 'fulfillmentStatus', o.fulfillment_status,
  'currency', o.currency, 'total', ${money('o.total')}, 'createdAt', ${iso('o.created_at')},
  'placedAt', case when o.placed_at is null then null else ${iso('o.placed_at')} end`;

export async function findOrderView(
  db: Queryable,
  id: string,
  /**
   * `customerId`: only that customer's order. `forCustomer`: the view a buyer gets (customer, guest lookup, checkout
   * answer) — no timeline, no staff identities.
   */
  scope: { customerId?: string; forCustomer?: boolean } = {},
): Promise<OrderDetailT | undefined> {
  await flushQueuedWrites(db, timelineKind);
  const res = await sql<{ o: OrderDetailT }>`
    select ${detailJson(scope.forCustomer === true)} as o
    from "order" o
    where o.id = ${id} and (${scope.customerId ?? null}::text is null or o.customer_id = ${scope.customerId ?? null})`.execute(
    db,
  );
  return res.rows[0]?.o;
}

/**
 * The staff views of many orders in one statement (webhook rendering of a batch of events): the shape of
 * `GET /v1/admin/orders/{id}`, timeline included. Ids that do not exist are left out.
 */
export async function adminOrderViews(db: Queryable, ids: readonly string[]): Promise<OrderDetailT[]> {
  await flushQueuedWrites(db, timelineKind);
  if (ids.length === 0) return [];
  const res = await sql<{ o: OrderDetailT }>`
    select ${detailJson(false)} as o from "order" o where o.id = any(${[...ids]}::text[])`.execute(db);
  return res.rows.map((r) => r.o);
}

/** One order's detail as json, for `o` (correlated subqueries: one statement whatever the number of orders). */
function detailJson(forCustomer: boolean) {
  return sql`json_build_object(${summaryFields},
      'regionId', o.region_id,
      'subtotal', ${money('o.subtotal')}, 'discountTotal', ${money('o.discount_total')},
      'shippingTotal', ${money('o.shipping_total')}, 'taxTotal', ${money('o.tax_total')},
      'shippingAddress', o.shipping_address, 'billingAddress', o.billing_address, 'shippingMethod', o.shipping_method,
      'promoCodes', to_json(o.promo_codes), 'version', o.version,
      'cancelledAt', case when o.cancelled_at is null then null else ${iso('o.cancelled_at')} end,
      'lines', coalesce((select json_agg(json_build_object(
          'id', l.id, 'variantId', l.variant_id, 'productId', l.product_id, 'sku', l.sku, 'title', l.title,
          'variantTitle', l.variant_title, 'quantity', l.quantity,
          'unitPrice', ${money('l.unit_price')}, 'subtotal', ${money('l.subtotal')}, 'discount', ${money('l.discount')},
          'tax', ${money('l.tax')}, 'total', ${money('l.total')}, 'taxLines', l.tax_lines,
          'fulfilledQuantity', l.fulfilled_quantity, 'shippedQuantity', l.shipped_quantity,
          'returnedQuantity', l.returned_quantity) order by l.position)
        from order_line l where l.order_id = o.id), '[]'::json),
      'fulfillments', ${fulfillmentsJson},
      'returns', ${returnsJson(forCustomer)},
      'timeline', ${
        forCustomer
          ? sql`'[]'::json`
          : sql`coalesce((select json_agg(json_build_object('id', e.id, 'at', ${iso('e.at')}, 'kind', e.kind,
              'actorType', e.actor_type, 'actorId', e.actor_id, 'data', e.data) order by e.id)
              from order_event e where e.order_id = o.id), '[]'::json)`
      }
    )`;
}
