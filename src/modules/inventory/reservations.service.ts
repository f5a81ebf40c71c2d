import { sql } from 'kysely';
import { type AuditContext, systemActor } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { afterStockChange } from './availability.js';
import type { InventoryDeps } from './deps.js';
import { ReservationInsufficientError } from './inventory.errors.js';
import { changeLevels } from './levels.sql.js';

/** After commit: an order's reserved units are shipped (fulfil), released (cancel) or come back (restock). */

export interface OrderStockLine {
  variantId: string;
  quantity: number;
  /** Take (or put back) at this location only; default: wherever the order's units are reserved. */
  locationId?: string | undefined;
}

export interface OrderStockInput {
  orderId: string;
  lines: OrderStockLine[];
  actor?: AuditContext | undefined;
}

function check(lines: OrderStockLine[]) {
  lines.forEach((l, i) => {
    if (!Number.isInteger(l.quantity) || l.quantity < 1) {
      throw new ValidationError([{ path: `/lines/${i}/quantity`, message: 'must be a positive integer' }]);
    }
  });
}

/**
 * Moves reserved units of the order out: `fulfil` ships them (on_hand −q, reserved −q);
 * `release` cancels them (reserved −q). One statement, all or nothing.
 */
async function consumeReservation(
  deps: InventoryDeps,
  tx: Tx,
  mode: 'fulfil' | 'release',
  orderId: string,
  lines: OrderStockLine[] | null,
  actor: AuditContext,
): Promise<void> {
  const all = lines === null;
  const want = lines ?? [];
  const result = await changeLevels(tx, {
    ctes: sql`
      want as (select variant_id, nullif(location_id, '') as location_id, sum(quantity)::int as quantity
                 from unnest(${want.map((l) => l.variantId)}::text[], ${want.map((l) => l.quantity)}::int[],
                             ${want.map((l) => l.locationId ?? '')}::text[]) as t(variant_id, quantity, location_id)
                group by 1, 2),
      res as (select r.variant_id, r.item_id, r.location_id, r.quantity from stock_reservation r
               where r.order_id = ${orderId} and r.quantity > 0
                 and (${all}::boolean or r.variant_id in (select variant_id from want))
               order by r.variant_id, r.item_id, r.location_id for update),
      need as (
        select w.variant_id, c.item_id, w.location_id, (w.quantity * c.quantity)::int as need
          from want w join variant_component c on c.variant_id = w.variant_id
          join inventory_item i on i.id = c.item_id and i.tracked
        union all
        select variant_id, item_id, null, sum(quantity)::int from res where ${all}::boolean group by variant_id, item_id
      ),
      cand as (
        select r.variant_id, r.item_id, r.location_id, r.quantity, n.need,
               coalesce(sum(r.quantity) over (partition by r.variant_id, r.item_id, n.location_id order by r.location_id
                          rows between unbounded preceding and 1 preceding), 0) as before
          from res r join need n on n.variant_id = r.variant_id and n.item_id = r.item_id
                               and (n.location_id is null or n.location_id = r.location_id)
      ),
      take as (select variant_id, item_id, location_id, least(quantity, greatest(need - before, 0))::int as q from cand),
      short as (
        select n.variant_id from need n
         where n.need > coalesce((select sum(t.q) from take t where t.variant_id = n.variant_id and t.item_id = n.item_id
                                    and (n.location_id is null or t.location_id = n.location_id)), 0)
      ),
      d as (select item_id, location_id, ${mode === 'fulfil' ? sql`-sum(q)::int` : sql`0`} as d_on_hand,
                   -sum(q)::int as d_reserved, 0 as d_held, null::int as expect_on_hand, null::text as ref_id
              from take where q > 0 and not exists (select 1 from short) group by item_id, location_id)`,
    after: sql`
      upd_res as (
        update stock_reservation r set quantity = r.quantity - t.q
          from (select variant_id, item_id, location_id, sum(q)::int as q from take group by 1, 2, 3) t
         where r.order_id = ${orderId} and r.variant_id = t.variant_id and r.item_id = t.item_id
           and r.location_id = t.location_id and t.q > 0
           and not exists (select 1 from bad) and not exists (select 1 from short)
      )`,
    extra: sql`(select coalesce(json_agg(distinct variant_id), '[]'::json)::text from short) as short`,
    meta: { reason: mode, referenceType: 'order', referenceId: orderId, actor },
  });
  const short = JSON.parse(String(result.extra.short)) as string[];
  if (short.length > 0) throw new ReservationInsufficientError(short);
  if (!result.applied) throw new ReservationInsufficientError(want.map((l) => l.variantId));
  await afterStockChange(
    deps,
    tx,
    result.levels.map((l) => l.itemId),
    result.levels,
  );
}

/**
 * Ships reserved units of an order: on_hand −q and reserved −q per component (reason `fulfil`).
 * @throws ReservationInsufficientError when the order has fewer reserved units (there) than asked.
 */
export async function fulfil(deps: InventoryDeps, tx: Tx, input: OrderStockInput): Promise<void> {
  check(input.lines);
  await consumeReservation(deps, tx, 'fulfil', input.orderId, input.lines, input.actor ?? systemActor);
}

/**
 * Cancels reserved units of an order (reserved −q, reason `release`); without `lines`, all of them.
 * @throws ReservationInsufficientError when fewer units are reserved than asked.
 */
export async function releaseReservation(
  deps: InventoryDeps,
  tx: Tx,
  input: { orderId: string; lines?: OrderStockLine[] | undefined; actor?: AuditContext | undefined },
): Promise<void> {
  if (input.lines) check(input.lines);
  await consumeReservation(deps, tx, 'release', input.orderId, input.lines ?? null, input.actor ?? systemActor);
}

/**
 * Puts units back on hand (a return, or a cancelled shipment): on_hand +q per component at
 * `locationId`, else at the active location with the best priority. Reason `return` by default.
 * @throws NotFoundError when the location (or any active location) does not exist.
 */
export async function restock(
  deps: InventoryDeps,
  tx: Tx,
  input: OrderStockInput & { reason?: 'return' | 'restock' },
): Promise<void> {
  check(input.lines);
  const lines = input.lines;
  const result = await changeLevels(tx, {
    ctes: sql`
      want as (select variant_id, quantity, nullif(location_id, '') as location_id
                 from unnest(${lines.map((l) => l.variantId)}::text[], ${lines.map((l) => l.quantity)}::int[],
                             ${lines.map((l) => l.locationId ?? '')}::text[]) as t(variant_id, quantity, location_id)),
      d as (
        select c.item_id,
               coalesce(w.location_id, (select id from stock_location where active order by priority, id limit 1)) as location_id,
               (w.quantity * c.quantity)::int as d_on_hand, 0 as d_reserved, 0 as d_held,
               null::int as expect_on_hand, null::text as ref_id
          from want w join variant_component c on c.variant_id = w.variant_id
          join inventory_item i on i.id = c.item_id and i.tracked
      )`,
    meta: {
      reason: input.reason ?? 'return',
      referenceType: 'order',
      referenceId: input.orderId,
      actor: input.actor ?? systemActor,
    },
  });
  if (!result.applied) throw new NotFoundError('Stock location');
  await afterStockChange(
    deps,
    tx,
    result.levels.map((l) => l.itemId),
    result.levels,
  );
}
