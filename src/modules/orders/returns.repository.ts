import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import type { ReturnViewT } from './returns.schemas.js';
import { returnObject } from './returns.view.js';
import './returns.tables.js';

/** Reads of returns, one statement each. */

/** One return; with `customerId`, only when its order belongs to that customer (otherwise undefined → 404). */
export async function findReturnView(
  db: Queryable,
  id: string,
  scope: { customerId?: string } = {},
): Promise<ReturnViewT | undefined> {
  const res = await sql<{ r: ReturnViewT }>`
    select ${returnObject} as r
      from return_request r join "order" o on o.id = r.order_id
     where r.id = ${id} and (${scope.customerId ?? null}::text is null or o.customer_id = ${scope.customerId ?? null})`.execute(
    db,
  );
  return res.rows[0]?.r;
}

/** The returns of one order, oldest first. */
export async function listOrderReturns(db: Queryable, orderId: string): Promise<ReturnViewT[]> {
  const res = await sql<{ r: ReturnViewT }>`
    select ${returnObject} as r from return_request r where r.order_id = ${orderId} order by r.id`.execute(db);
  return res.rows.map((row) => row.r);
}

export interface ReturnListQuery {
  limit: number;
  cursor?: string | undefined;
  status?: string | undefined;
  orderId?: string | undefined;
}

/** Returns newest first (keyset on the time-sortable id). */
export async function listReturns(db: Queryable, f: ReturnListQuery) {
  const res = await sql<{ id: string; r: ReturnViewT }>`
    select r.id, ${returnObject} as r
      from return_request r
     where (${f.cursor ?? null}::text is null or r.id < ${f.cursor ?? null})
       and (${f.status ?? null}::text is null or r.status = ${f.status ?? null})
       and (${f.orderId ?? null}::text is null or r.order_id = ${f.orderId ?? null})
     order by r.id desc
     limit ${f.limit + 1}`.execute(db);
  const data = res.rows.slice(0, f.limit).map((row) => row.r);
  return { data, nextCursor: res.rows.length > f.limit ? (res.rows[f.limit - 1]?.id ?? null) : null };
}

/** Whether the order exists (and, with `customerId`, belongs to that customer). */
export async function orderVisible(db: Queryable, orderId: string, customerId?: string): Promise<boolean> {
  const row = await db
    .selectFrom('order')
    .select('id')
    .where('id', '=', orderId)
    .$if(customerId !== undefined, (q) => q.where('customer_id', '=', customerId ?? ''))
    .executeTakeFirst();
  return row !== undefined;
}
