import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import './orders.tables.js';

/**
 * The orders module's numbers for the admin dashboard. Each is one statement on an index of migration 0032, so the
 * cost follows the day's orders and the open backlog, not the whole order history.
 */

export interface SalesPeriods {
  /** [from, to) instants of today. */
  today: readonly [Date, Date];
  /** [from, to) instants of yesterday. */
  yesterday: readonly [Date, Date];
  /** Yesterday up to the same time of day as now, exclusive. */
  yesterdayUntil: Date;
}

export interface CurrencySales {
  currency: string;
  today: { orders: number; sales: number };
  yesterday: { orders: number; sales: number };
  yesterdaySoFar: { orders: number; sales: number };
}

interface SalesRow {
  currency: string;
  today_orders: number;
  today_sales: string;
  yesterday_orders: number;
  yesterday_sales: string;
  so_far_orders: number;
  so_far_sales: string;
}

/**
 * Orders placed in each period and their totals (minor units), per currency — only currencies with orders in one
 * of the periods. An order counts by `placed_at` (when its payment went through) and not once cancelled;
 * `sales` is the sum of the orders' totals (tax and shipping included, refunds not subtracted).
 */
export async function salesByCurrency(db: Queryable, p: SalesPeriods): Promise<CurrencySales[]> {
  const [y0, y1] = p.yesterday;
  const [t0, t1] = p.today;
  const res = await sql<SalesRow>`
    select currency,
           count(*) filter (where placed_at >= ${t0})::int as today_orders,
           coalesce(sum(total) filter (where placed_at >= ${t0}), 0)::text as today_sales,
           count(*) filter (where placed_at < ${y1})::int as yesterday_orders,
           coalesce(sum(total) filter (where placed_at < ${y1}), 0)::text as yesterday_sales,
           count(*) filter (where placed_at < ${p.yesterdayUntil})::int as so_far_orders,
           coalesce(sum(total) filter (where placed_at < ${p.yesterdayUntil}), 0)::text as so_far_sales
      from "order"
     where placed_at >= ${y0} and placed_at < ${t1} and status <> 'cancelled'
     group by currency
     order by currency`.execute(db);
  return res.rows.map((r) => ({
    currency: r.currency,
    today: { orders: r.today_orders, sales: Number(r.today_sales) },
    yesterday: { orders: r.yesterday_orders, sales: Number(r.yesterday_sales) },
    yesterdaySoFar: { orders: r.so_far_orders, sales: Number(r.so_far_sales) },
  }));
}

/** Payment statuses under which money is (at least partly) secured, so the parcel can go. */
export const fulfillablePaymentStatuses = ['authorized', 'partially_paid', 'paid'] as const;
/** Fulfilment statuses that still leave something to pack. */
export const unfulfilledStatuses = ['not_fulfilled', 'partially_fulfilled'] as const;

export interface OrderBacklog {
  /** Placed orders whose payment is authorized and not captured yet (payment status `authorized`). */
  awaitingCapture: number;
  /** Placed orders, authorized or paid, with lines not fulfilled yet. */
  awaitingFulfillment: number;
}

/** The open work on orders, counted in one statement over the index of placed (open) orders. */
export async function orderBacklog(db: Queryable): Promise<OrderBacklog> {
  const res = await sql<{ capture: number; fulfil: number }>`
    select count(*) filter (where payment_status = 'authorized')::int as capture,
           count(*) filter (where payment_status = any(${[...fulfillablePaymentStatuses]}::text[])
                              and fulfillment_status = any(${[...unfulfilledStatuses]}::text[]))::int as fulfil
      from "order" where status = 'placed'`.execute(db);
  return { awaitingCapture: res.rows[0]?.capture ?? 0, awaitingFulfillment: res.rows[0]?.fulfil ?? 0 };
}

/** Order numbers by id, one statement for any number (activity lines name orders by number). */
export async function orderNumbers(db: Queryable, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('order')
    .select(['id', 'number'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, Number(r.number)]));
}
