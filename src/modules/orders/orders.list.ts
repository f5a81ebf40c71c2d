import { type RawBuilder, sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import { ValidationError } from '../../platform/errors.js';
import { idPrefixes } from '../../platform/ids.js';
import { summaryFields } from './orders.repository.js';
import type { OrderSummaryT } from './orders.schemas.js';

/**
 * The orders list (staff and a customer's own): filters, search, four sorts, keyset paging. Each filter is added to
 * the statement only when asked for, so the planner sees the plain predicate and picks the index made for it
 * (migration 0031: status / payment / fulfilment / channel + created_at, total, trigram search).
 */

export const orderSorts = ['newest', 'oldest', 'total_desc', 'total_asc'] as const;
export type OrderSort = (typeof orderSorts)[number];

export interface OrderListQuery {
  limit: number;
  /** `nextCursor` of the previous page; it names its sort, so a cursor of another sort is refused. */
  cursor?: string | undefined;
  sort?: OrderSort | undefined;
  /** Statuses: one, or several separated by commas (checked by the route's schema). */
  status?: string | undefined;
  paymentStatus?: string | undefined;
  fulfillmentStatus?: string | undefined;
  customerId?: string | undefined;
  salesChannelId?: string | undefined;
  /** An order number (`1042` or `#1042`), or part of the email or of a name on the order (accents ignored). */
  q?: string | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
  minTotal?: number | undefined;
  maxTotal?: number | undefined;
  /** Only orders that were placed (not attempts whose payment failed): what a customer calls their orders. */
  placedOnly?: boolean | undefined;
}

interface SortSpec {
  /** The column the sort is on; `id` breaks ties. */
  column: 'created_at' | 'total';
  desc: boolean;
  /** The key as text in the cursor, and the SQL type it is cast back to. */
  keyText: RawBuilder<string>;
  keyType: 'timestamptz' | 'bigint';
  keyPattern: RegExp;
}

// Microseconds kept: a JavaScript Date would drop them and a cursor could skip or repeat rows created in one ms.
const createdKey = sql<string>`to_char(o.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const timeKey = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const totalKey = /^\d{1,18}$/;

const sorts: Record<OrderSort, SortSpec> = {
  newest: { column: 'created_at', desc: true, keyText: createdKey, keyType: 'timestamptz', keyPattern: timeKey },
  oldest: { column: 'created_at', desc: false, keyText: createdKey, keyType: 'timestamptz', keyPattern: timeKey },
  total_desc: { column: 'total', desc: true, keyText: sql`o.total::text`, keyType: 'bigint', keyPattern: totalKey },
  total_asc: { column: 'total', desc: false, keyText: sql`o.total::text`, keyType: 'bigint', keyPattern: totalKey },
};

interface Cursor {
  sort: OrderSort;
  key: string;
  id: string;
}

const bad = (field: string, message: string) => new ValidationError([{ path: `/query/${field}`, message }]);
const orderId = new RegExp(`^${idPrefixes.order}_[0-7][0-9a-hjkmnp-tv-z]{25}$`);

export function encodeOrderCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.key, c.id])).toString('base64url');
}

/** A cursor of `sort` or a 400 naming `cursor`: a cursor is only ever passed back, never built by hand. */
export function decodeOrderCursor(text: string, sort: OrderSort): Cursor {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  if (!Array.isArray(parts) || parts.length !== 3) throw bad('cursor', 'is not a cursor of this list');
  const [s, key, id] = parts as unknown[];
  if (s !== sort) throw bad('cursor', `belongs to another sort (${String(s)}); start again without a cursor`);
  const spec = sorts[sort];
  if (typeof key !== 'string' || !spec.keyPattern.test(key) || typeof id !== 'string' || !orderId.test(id)) {
    throw bad('cursor', 'is not a cursor of this list');
  }
  // The pattern lets through impossible dates (2026-02-31), which PostgreSQL would refuse with a 500.
  if (spec.keyType === 'timestamptz' && new Date(key).toISOString().slice(0, 19) !== key.slice(0, 19)) {
    throw bad('cursor', 'is not a cursor of this list');
  }
  return { sort, key, id };
}

function checkRanges(f: OrderListQuery) {
  if (f.createdFrom && f.createdTo && Date.parse(f.createdFrom) > Date.parse(f.createdTo)) {
    throw bad('createdFrom', 'must not be after createdTo');
  }
  if (f.minTotal !== undefined && f.maxTotal !== undefined && f.minTotal > f.maxTotal) {
    throw bad('minTotal', 'must not exceed maxTotal');
  }
}

/** The search: a number finds that order; anything else is a substring of the email or a name (trigram index). */
function searchCondition(raw: string): RawBuilder<unknown> {
  const q = raw.trim();
  if (/^#?\d{1,18}$/.test(q)) return sql`o.number = ${Number(q.replace('#', ''))}`;
  const escaped = q.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql`o.search_text like '%' || orders_fold(${escaped}::text) || '%'`;
}

/** `column` is one of the comma-separated `values` (one value: a plain `=`, which the planner knows best). */
function oneOf(column: RawBuilder<unknown>, values: string): RawBuilder<unknown> {
  const list = [...new Set(values.split(','))];
  return list.length === 1 ? sql`${column} = ${list[0]}` : sql`${column} = any(${list}::text[])`;
}

/** One page of orders, one statement: `{ data, nextCursor }` (null on the last page). */
export async function listOrders(db: Queryable, f: OrderListQuery) {
  checkRanges(f);
  const sortName = f.sort ?? 'newest';
  const spec = sorts[sortName];
  const cursor = f.cursor ? decodeOrderCursor(f.cursor, sortName) : undefined;
  const col = sql.ref(`o.${spec.column}`);
  const where: RawBuilder<unknown>[] = [];
  if (cursor) {
    // Row comparison on (key, id): one index range, and ties on the key are split by id, never skipped.
    where.push(
      sql`(${col}, o.id) ${sql.raw(spec.desc ? '<' : '>')} (${cursor.key}::${sql.raw(spec.keyType)}, ${cursor.id}::text)`,
    );
  }
  if (f.status) where.push(oneOf(sql`o.status`, f.status));
  if (f.paymentStatus) where.push(oneOf(sql`o.payment_status`, f.paymentStatus));
  if (f.fulfillmentStatus) where.push(oneOf(sql`o.fulfillment_status`, f.fulfillmentStatus));
  if (f.customerId) where.push(sql`o.customer_id = ${f.customerId}`);
  if (f.salesChannelId) where.push(sql`o.sales_channel_id = ${f.salesChannelId}`);
  if (f.q?.trim()) where.push(searchCondition(f.q));
  if (f.createdFrom) where.push(sql`o.created_at >= ${f.createdFrom}::timestamptz`);
  if (f.createdTo) where.push(sql`o.created_at < ${f.createdTo}::timestamptz`);
  if (f.minTotal !== undefined) where.push(sql`o.total >= ${f.minTotal}::bigint`);
  if (f.maxTotal !== undefined) where.push(sql`o.total <= ${f.maxTotal}::bigint`);
  if (f.placedOnly) where.push(sql`o.placed_at is not null`);
  const dir = sql.raw(spec.desc ? 'desc' : 'asc');
  const res = await sql<{ o: OrderSummaryT; id: string; k: string }>`
    select o.id, ${spec.keyText} as k, json_build_object(${summaryFields}) as o
      from "order" o
     ${where.length > 0 ? sql`where ${sql.join(where, sql` and `)}` : sql``}
     order by ${col} ${dir}, o.id ${dir}
     limit ${f.limit + 1}`.execute(db);
  const more = res.rows.length > f.limit;
  const last = res.rows[f.limit - 1];
  return {
    data: res.rows.slice(0, f.limit).map((r) => r.o),
    nextCursor: more && last ? encodeOrderCursor({ sort: sortName, key: last.k, id: last.id }) : null,
  };
}
