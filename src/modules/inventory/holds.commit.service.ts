import { sql } from 'kysely';
import { type AuditContext, systemActor } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { afterStockChange } from './availability.js';
import type { InventoryDeps } from './deps.js';
import { lockCart, mergeLines, type StockLine } from './holds.service.js';
import { HoldExpiredError } from './inventory.errors.js';
import { changeLevels } from './levels.sql.js';

/** The end of a hold: committed to an order at checkout, or released by the expiry worker. */

export interface CommitInput {
  cartId: string;
  orderId: string;
  /** The order's lines: each must be fully covered by live holds (lines of untracked variants always are). */
  lines?: StockLine[] | undefined;
  actor?: AuditContext | undefined;
}

/**
 * Turns the cart's live holds into reservations of the order (held → reserved, reason `commit`,
 * reference the order), in one statement, all or nothing.
 * @throws HoldExpiredError (409 `HOLD_EXPIRED`, listing the lines) when a hold expired or is gone:
 *   nothing was committed; `hold` again and commit again.
 */
export async function commitHold(
  deps: InventoryDeps,
  tx: Tx,
  input: CommitInput,
): Promise<{ orderId: string; committed: StockLine[] }> {
  const lines = input.lines ? mergeLines(input.lines) : [];
  await lockCart(tx, input.cartId);
  const result = await changeLevels(tx, {
    ctes: sql`
      held as (select id, variant_id, line_quantity, item_id, location_id, quantity, expires_at
                 from stock_hold where cart_id = ${input.cartId} order by id for update),
      live as (select * from held where expires_at > now()),
      want as (select * from unnest(${lines.map((l) => l.variantId)}::text[], ${lines.map((l) => l.quantity)}::int[])
                 as t(variant_id, quantity)),
      missing as (
        select w.variant_id, w.quantity from want w
         where exists (
           select 1 from variant_component c join inventory_item i on i.id = c.item_id and i.tracked
            where c.variant_id = w.variant_id
              and coalesce((select sum(h.quantity) from live h where h.variant_id = w.variant_id and h.item_id = c.item_id), 0)
                  < w.quantity * c.quantity)
        union
        select distinct variant_id, line_quantity from held
         where expires_at <= now() and not exists (select 1 from want)
      ),
      d as (select item_id, location_id, 0 as d_on_hand, sum(quantity)::int as d_reserved, -sum(quantity)::int as d_held,
                   null::int as expect_on_hand, null::text as ref_id
              from live where not exists (select 1 from missing) group by item_id, location_id)`,
    after: sql`
      del as (delete from stock_hold where id in (select id from live)
                 and not exists (select 1 from bad) and not exists (select 1 from missing)),
      res as (
        insert into stock_reservation (order_id, variant_id, item_id, location_id, quantity)
        select ${input.orderId}, variant_id, item_id, location_id, sum(quantity)::int from live
         where not exists (select 1 from bad) and not exists (select 1 from missing)
         group by variant_id, item_id, location_id
        on conflict (order_id, variant_id, item_id, location_id)
        do update set quantity = stock_reservation.quantity + excluded.quantity
      )`,
    extra: sql`
      (select coalesce(json_agg(json_build_object('variantId', variant_id, 'quantity', quantity)
                                order by variant_id), '[]'::json)::text from missing) as missing,
      (select coalesce(json_agg(json_build_object('variantId', variant_id, 'quantity', q) order by variant_id), '[]'::json)::text
         from (select variant_id, max(line_quantity) as q from live group by variant_id) c) as committed`,
    meta: { reason: 'commit', referenceType: 'order', referenceId: input.orderId, actor: input.actor ?? systemActor },
  });
  const missing = JSON.parse(String(result.extra.missing)) as StockLine[];
  if (missing.length > 0) throw new HoldExpiredError(missing);
  if (!result.applied) throw new Error('commitHold: a level refused a hold-to-reservation move (ledger corrupt?)');
  await afterStockChange(
    deps,
    tx,
    result.levels.map((l) => l.itemId),
    result.levels,
  );
  return { orderId: input.orderId, committed: JSON.parse(String(result.extra.committed)) };
}

/**
 * Releases holds that expired by `now`, in batches of one statement each; rows another worker is
 * releasing are skipped (SKIP LOCKED). Ledger reason `expired`, reference the cart. Returns the
 * number of hold rows released.
 */
export async function releaseExpiredHolds(
  deps: InventoryDeps,
  opts: { now?: Date; batchSize?: number } = {},
): Promise<number> {
  const now = opts.now ?? new Date();
  const batch = opts.batchSize ?? 500;
  let total = 0;
  for (;;) {
    const n = await withTransaction(deps.db, async (tx) => {
      const result = await changeLevels(tx, {
        ctes: sql`
          old as (select id, cart_id, item_id, location_id, quantity from stock_hold
                   where expires_at <= ${now} order by id limit ${batch} for update skip locked),
          d as (select item_id, location_id, 0 as d_on_hand, 0 as d_reserved, -sum(quantity)::int as d_held,
                       null::int as expect_on_hand, cart_id as ref_id from old group by item_id, location_id, cart_id)`,
        after: sql`del as (delete from stock_hold where id in (select id from old) and not exists (select 1 from bad) returning id)`,
        extra: sql`(select count(*)::int from del) as released`,
        meta: { reason: 'expired', referenceType: 'cart', referenceId: null, actor: systemActor },
      });
      await afterStockChange(
        deps,
        tx,
        result.levels.map((l) => l.itemId),
        result.levels,
      );
      return Number(result.extra.released);
    });
    total += n;
    if (n < batch) return total;
  }
}
