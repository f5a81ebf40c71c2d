import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';

/** Where an order ships from when the caller does not say (fulfilment asks; only inventory reads its tables). */

/**
 * The one location holding enough of the order's reserved units for every requested variant
 * (bundles: enough of each component), or: `null` when the reservations are split so no single
 * location covers them; `undefined` when nothing is reserved for these variants (untracked stock),
 * in which case any location will do and the best-priority active one is used.
 */
export async function reservedLocationFor(
  tx: Tx,
  orderId: string,
  want: { variantId: string; quantity: number }[],
): Promise<string | null | undefined> {
  const res = await sql<{ location_id: string | null; tracked: number }>`
    with want as (
      select variant_id, sum(quantity)::int as quantity
        from unnest(${want.map((w) => w.variantId)}::text[], ${want.map((w) => w.quantity)}::int[]) as t(variant_id, quantity)
       group by 1),
    units as (
      select r.location_id, r.variant_id, min(r.quantity / c.quantity)::int as units
        from stock_reservation r
        join variant_component c on c.variant_id = r.variant_id and c.item_id = r.item_id
       where r.order_id = ${orderId} and r.quantity > 0 and r.variant_id in (select variant_id from want)
       group by 1, 2)
    select (select u.location_id from units u join want w on w.variant_id = u.variant_id and u.units >= w.quantity
             group by u.location_id
            having count(*) = (select count(distinct variant_id) from units)
             order by u.location_id limit 1) as location_id,
           (select count(*) from units)::int as tracked`.execute(tx);
  const row = res.rows[0];
  if (!row || row.tracked === 0) return undefined;
  return row.location_id;
}

/** The active stock location with the best priority (where untracked goods are said to ship from). */
export async function defaultLocation(tx: Tx): Promise<string | undefined> {
  const row = await tx
    .selectFrom('stock_location')
    .select('id')
    .where('active', '=', true)
    .orderBy('priority')
    .orderBy('id')
    .executeTakeFirst();
  return row?.id;
}

/** Whether a stock location with this id exists. */
export async function locationExists(tx: Tx, id: string): Promise<boolean> {
  const row = await tx.selectFrom('stock_location').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}
