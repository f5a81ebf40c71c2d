import { sql } from 'kysely';
import { flushQueuedWrites } from '../../platform/db/before-commit.js';
import type { Queryable, Tx } from '../../platform/db/database.js';
import { adminOrderViews, timelineKind } from './orders.repository.js';
import type { OrderDetailT } from './orders.schemas.js';
import './orders.tables.js';

/**
 * What orders knows about one customer — for staff's customer pages (counts, totals, recent orders) and for the
 * privacy requests (export, erase), which `privacy` runs with every module's part in one transaction. A customer's
 * orders are those linked to the account and the guest orders placed with the account's email.
 */

export interface CustomerOrderStats {
  orderCount: number;
  totalSpent: { amount: number; currency: string }[];
  lastOrderAt: string | null;
}

/** Placed orders per customer (count, last order) and what they spent per currency (cancelled orders left out). */
export async function customerOrderStats(
  db: Queryable,
  customerIds: readonly string[],
): Promise<Map<string, CustomerOrderStats>> {
  const out = new Map<string, CustomerOrderStats>();
  if (customerIds.length === 0) return out;
  const res = await sql<{ customer_id: string; currency: string; n: number; spent: string; last: Date }>`
    select o.customer_id, o.currency, count(*)::int as n,
           coalesce(sum(o.total) filter (where o.status <> 'cancelled'), 0)::text as spent, max(o.placed_at) as last
      from "order" o
     where o.customer_id = any(${[...customerIds]}::text[]) and o.placed_at is not null
     group by o.customer_id, o.currency
     order by o.customer_id, o.currency`.execute(db);
  for (const r of res.rows) {
    const s = out.get(r.customer_id) ?? { orderCount: 0, totalSpent: [], lastOrderAt: null };
    s.orderCount += r.n;
    s.totalSpent.push({ amount: Number(r.spent), currency: r.currency });
    const last = new Date(r.last).toISOString();
    if (!s.lastOrderAt || last > s.lastOrderAt) s.lastOrderAt = last;
    out.set(r.customer_id, s);
  }
  return out;
}

/** The customer's latest placed orders, newest first (the account's orders index). */
export async function recentCustomerOrders(db: Queryable, customerId: string, limit: number) {
  const rows = await db
    .selectFrom('order')
    .select(['id', 'number', 'status', 'payment_status', 'fulfillment_status', 'total', 'currency', 'created_at'])
    .where('customer_id', '=', customerId)
    .where('placed_at', 'is not', null)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((o) => ({
    id: o.id,
    number: o.number,
    status: o.status,
    paymentStatus: o.payment_status,
    fulfillmentStatus: o.fulfillment_status,
    total: { amount: o.total, currency: o.currency },
    createdAt: o.created_at.toISOString(),
  }));
}

export interface CustomerRef {
  customerId: string;
  /** The account's email, normalized (null once erased): guest orders placed with it are theirs too. */
  email: string | null;
}

function customerOrderIds(
  tx: Queryable,
  who: CustomerRef,
): Promise<{ id: string; cart_id: string | null; email: string }[]> {
  return tx
    .selectFrom('order')
    .select(['id', 'cart_id', 'email'])
    .where((eb) =>
      who.email
        ? eb.or([eb('customer_id', '=', who.customerId), eb(sql`lower(email)`, '=', who.email)])
        : eb('customer_id', '=', who.customerId),
    )
    .orderBy('id')
    .execute();
}

/**
 * Every order of the customer as staff see it (lines, totals, addresses, fulfilments, returns, timeline), in `tx`,
 * and the carts they came from (checkout exports those).
 */
export async function exportCustomerOrders(
  tx: Tx,
  who: CustomerRef,
): Promise<{ orders: OrderDetailT[]; cartIds: string[] }> {
  const ids = await customerOrderIds(tx, who);
  const orders = await adminOrderViews(
    tx,
    ids.map((o) => o.id),
  );
  return { orders, cartIds: ids.flatMap((o) => (o.cart_id ? [o.cart_id] : [])) };
}

/** The address an erased order keeps: the country and region (the books and taxes need them), nothing personal. */
const erasedAddress = (col: 'shipping_address' | 'billing_address') =>
  sql`case when ${sql.ref(col)} is null then null else jsonb_build_object(
        'firstName', 'erased', 'lastName', 'erased', 'company', null, 'line1', 'erased', 'line2', null,
        'city', 'erased', 'postalCode', 'erased', 'region', ${sql.ref(col)} -> 'region',
        'countryCode', ${sql.ref(col)} -> 'countryCode', 'phone', null) end`;

/**
 * Erases the personal fields of the customer's orders, in `tx`: the email becomes `erased-<order id>@erased.invalid`,
 * names, street, city, postal code and phone of both addresses become placeholders (country and region stay, for
 * tax), the link to the customer is cut, the email in the timeline's placed entry is replaced, the customer stops
 * being named as the actor of timeline entries and return requests, and the notes customers wrote on their returns
 * are removed. Lines, totals, statuses, payments and refunds are kept for the books. Returns the order and cart ids
 * (payments and checkout erase theirs) and the emails the orders had (lower-cased; for the emails sent to them).
 */
export async function eraseCustomerOrders(
  tx: Tx,
  who: CustomerRef,
): Promise<{ orderIds: string[]; cartIds: string[]; emails: string[] }> {
  const orders = await customerOrderIds(tx, who);
  const orderIds = orders.map((o) => o.id);
  const cartIds = orders.flatMap((o) => (o.cart_id ? [o.cart_id] : []));
  const emails = [...new Set(orders.map((o) => o.email.trim().toLowerCase()))];
  if (orderIds.length === 0) return { orderIds, cartIds, emails };
  // Lock in id order, like every order command, so an erase cannot deadlock with staff working on the same orders.
  await tx.selectFrom('order').select('id').where('id', 'in', orderIds).orderBy('id').forUpdate().execute();
  await sql`
    update "order" o
       set email = 'erased-' || o.id || '@erased.invalid', customer_id = null,
           shipping_address = ${erasedAddress('shipping_address')},
           billing_address = ${erasedAddress('billing_address')},
           version = o.version + 1, updated_at = now()
     where o.id = any(${orderIds}::text[])`.execute(tx);
  // The timeline is append-only; migration 0033 lets this one transaction rewrite the email and the customer's id
  // in it (nothing else), and the setting is switched off again right after.
  await flushQueuedWrites(tx, timelineKind);
  await sql`select set_config('backroom.erasing', 'on', true)`.execute(tx);
  await sql`
    update order_event e
       set data = case when e.data ? 'email' then e.data || jsonb_build_object('email', 'erased-' || e.order_id || '@erased.invalid')
                       else e.data end,
           actor_id = case when e.actor_type = 'customer' then null else e.actor_id end
     where e.order_id = any(${orderIds}::text[]) and (e.data ? 'email' or e.actor_type = 'customer')`.execute(tx);
  await sql`select set_config('backroom.erasing', 'off', true)`.execute(tx);
  const customerReturns = await tx
    .updateTable('return_request')
    .set({ requested_by_id: null, note: null })
    .where('order_id', 'in', orderIds)
    .where('requested_by_type', '=', 'customer')
    .returning('id')
    .execute();
  if (customerReturns.length > 0) {
    await tx
      .updateTable('return_line')
      .set({ note: null })
      .where(
        'return_id',
        'in',
        customerReturns.map((r) => r.id),
      )
      .execute();
  }
  return { orderIds, cartIds, emails };
}
