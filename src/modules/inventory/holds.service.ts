import { sql } from 'kysely';
import { type AuditContext, systemActor } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { ValidationError } from '../../platform/errors.js';
import { afterStockChange, shortVariants, stockSnapshot } from './availability.js';
import type { InventoryDeps } from './deps.js';
import { InsufficientStockError } from './inventory.errors.js';
import { type ChangeOptions, changeLevels } from './levels.sql.js';

/** Cart holds: units set aside during checkout, replaced per cart, expired by the worker. */

export interface StockLine {
  variantId: string;
  quantity: number;
}

export interface HoldInput {
  cartId: string;
  lines: StockLine[];
  ttlSeconds: number;
  actor?: AuditContext | undefined;
}

export interface HoldResult {
  cartId: string;
  expiresAt: string | null;
  holds: { variantId: string; itemId: string; locationId: string; quantity: number }[];
}

/** Lines merged per variant; quantities must be positive integers. */
export function mergeLines(lines: StockLine[], path = '/lines'): StockLine[] {
  const merged = new Map<string, number>();
  lines.forEach((l, i) => {
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > 1_000_000) {
      throw new ValidationError([{ path: `${path}/${i}/quantity`, message: 'must be an integer from 1 to 1000000' }]);
    }
    merged.set(l.variantId, (merged.get(l.variantId) ?? 0) + l.quantity);
  });
  return [...merged].map(([variantId, quantity]) => ({ variantId, quantity }));
}

/** One transaction-scoped lock per cart: two hold calls for one cart queue instead of both inserting. */
export async function lockCart(tx: Tx, cartId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`inventory:cart:${cartId}`}, 0))`.execute(tx);
}

/**
 * Replaces the cart's holds with holds for `lines`, in one statement: the old holds are given
 * back and the new ones taken from active locations in priority order (a line may be split across
 * locations). Bundles need the summed quantity of every component. Untracked items need no hold.
 * Locks: the cart's hold rows, then the levels of the items involved in (item, location) order.
 * @throws InsufficientStockError (409 `INSUFFICIENT_STOCK`, listing the short variants) — then
 *   nothing changed: the cart keeps its previous holds (call `release` to drop them).
 */
export function hold(deps: InventoryDeps, tx: Tx, input: HoldInput): Promise<HoldResult> {
  const lines = mergeLines(input.lines);
  if (!Number.isInteger(input.ttlSeconds) || input.ttlSeconds < 1) {
    throw new ValidationError([{ path: '/ttlSeconds', message: 'must be a positive integer' }]);
  }
  return allocate(deps, tx, input.cartId, lines, holdStatement(input, lines, input.actor ?? systemActor));
}

/**
 * Checkout in one step: replaces the cart's holds with reservations of the order for `lines` — taken from available
 * stock like `hold` (old holds count as available), written as `reserved` (ledger reason `commit`, reference the
 * order) — in one statement. Cheaper than hold + commitHold, and the levels stay locked for one statement instead
 * of the whole order insert in between: what a flash sale queues on.
 * @throws InsufficientStockError (409) — nothing changed.
 */
export async function reserve(deps: InventoryDeps, tx: Tx, input: ReserveInput): Promise<void> {
  const lines = mergeLines(input.lines);
  await allocate(deps, tx, input.cartId, lines, reserveStatement(input, lines, input.actor ?? systemActor));
}

export interface ReserveInput {
  cartId: string;
  orderId: string;
  lines: StockLine[];
  actor?: AuditContext | undefined;
}

/**
 * Where a cart's lines take their stock from, as CTEs ending in `new_holds` (per line, item and location) and `d` (the
 * deltas: `take` into `held` or `reserved`, the cart's old holds given back). Old holds count as available. Nothing is
 * taken when a line is short (`short_lines`). Shared by the hold and the reserve statement.
 */
function allocation(cartId: string, lines: StockLine[], into: 'held' | 'reserved') {
  const variantIds = lines.map((l) => l.variantId);
  const quantities = lines.map((l) => l.quantity);
  return sql`
      lines as (select * from unnest(${variantIds}::text[], ${quantities}::int[])
                  as t(variant_id, quantity)),
      comps as (
        select l.variant_id, l.quantity as line_quantity, c.item_id, (l.quantity * c.quantity)::int as need
          from lines l join variant_component c on c.variant_id = l.variant_id
          join inventory_item i on i.id = c.item_id and i.tracked
      ),
      old as (select id, item_id, location_id, quantity from stock_hold where cart_id = ${cartId} order by id for update),
      need as (select item_id, sum(need)::int as need from comps group by item_id),
      lk as (
        select l.item_id, l.location_id, l.on_hand, l.reserved, l.held, l.allow_backorder, s.priority, s.active
          from inventory_level l join stock_location s on s.id = l.location_id
         where l.item_id in (select item_id from need union select item_id from old)
         order by l.item_id, l.location_id
           for update of l
      ),
      oldq as (select item_id, location_id, sum(quantity)::int as q from old group by item_id, location_id),
      cand as (
        select k.item_id, k.location_id, k.allow_backorder, n.need,
               greatest(k.on_hand - k.reserved - k.held + coalesce(o.q, 0), 0) as free,
               row_number() over (partition by k.item_id order by k.priority, k.location_id) as rank
          from lk k join need n on n.item_id = k.item_id
          left join oldq o on o.item_id = k.item_id and o.location_id = k.location_id
         where k.active
      ),
      cum as (
        select c.*, coalesce(sum(c.free) over (partition by c.item_id order by c.rank
                                               rows between unbounded preceding and 1 preceding), 0) as before,
               sum(c.free) over (partition by c.item_id) as total
          from cand c
      ),
      alloc as (
        select item_id, location_id, rank,
               (least(free, greatest(need - before, 0))
                 + case when allow_backorder and rank = 1 then greatest(need - total, 0) else 0 end)::int as take
          from cum
      ),
      short_items as (
        select n.item_id from need n
          left join (select item_id, sum(take) as t from alloc group by item_id) a on a.item_id = n.item_id
         where coalesce(a.t, 0) < n.need
      ),
      short_lines as (
        select l.variant_id from lines l
         where not exists (select 1 from variant_component c where c.variant_id = l.variant_id)
            or exists (select 1 from comps c join short_items s on s.item_id = c.item_id where c.variant_id = l.variant_id)
      ),
      line_ranges as (
        select variant_id, line_quantity, item_id, need,
               sum(need) over (partition by item_id order by variant_id) - need as lo
          from comps
      ),
      loc_ranges as (
        select item_id, location_id, take, sum(take) over (partition by item_id order by rank) - take as lo
          from alloc where take > 0
      ),
      new_holds as (
        select r.variant_id, r.line_quantity, r.item_id, g.location_id,
               (least(r.lo + r.need, g.lo + g.take) - greatest(r.lo, g.lo))::int as quantity
          from line_ranges r join loc_ranges g on g.item_id = r.item_id
         where least(r.lo + r.need, g.lo + g.take) > greatest(r.lo, g.lo)
      ),
      d as (
        select item_id, location_id, 0 as d_on_hand,
               ${into === 'reserved' ? sql`take` : sql`0`} as d_reserved,
               ${into === 'held' ? sql`take` : sql`0`} as d_held,
               null::int as expect_on_hand, null::text as ref_id
          from alloc where take > 0 and not exists (select 1 from short_lines)
        union all
        select item_id, location_id, 0, 0, -q, null::int, null::text
          from oldq where not exists (select 1 from short_lines)
      )`;
}

/** The cart's holds replaced by new ones that expire after `ttlSeconds` (ledger reason `hold`). */
function holdStatement(input: HoldInput, lines: StockLine[], actor: AuditContext): ChangeOptions {
  return {
    ctes: allocation(input.cartId, lines, 'held'),
    after: sql`
      del as (
        delete from stock_hold where id in (select id from old)
           and not exists (select 1 from bad) and not exists (select 1 from short_lines)
      ),
      ins as (
        insert into stock_hold (cart_id, variant_id, line_quantity, item_id, location_id, quantity, expires_at)
        select ${input.cartId}, variant_id, line_quantity, item_id, location_id, quantity,
               now() + make_interval(secs => ${input.ttlSeconds})
          from new_holds
         where not exists (select 1 from bad) and not exists (select 1 from short_lines)
         order by variant_id, item_id, location_id
        returning variant_id, item_id, location_id, quantity, expires_at
      )`,
    extra: allocationResult,
    meta: { reason: 'hold', reasonWhenNegative: 'release', referenceType: 'cart', referenceId: input.cartId, actor },
  };
}

/** The cart's holds replaced by reservations of the order (ledger reason `commit`, reference the order). */
function reserveStatement(input: ReserveInput, lines: StockLine[], actor: AuditContext): ChangeOptions {
  return {
    ctes: allocation(input.cartId, lines, 'reserved'),
    after: sql`
      del as (
        delete from stock_hold where id in (select id from old)
           and not exists (select 1 from bad) and not exists (select 1 from short_lines)
      ),
      ins as (
        insert into stock_reservation (order_id, variant_id, item_id, location_id, quantity)
        select ${input.orderId}, variant_id, item_id, location_id, sum(quantity)::int
          from new_holds
         where not exists (select 1 from bad) and not exists (select 1 from short_lines)
         group by variant_id, item_id, location_id
         order by variant_id, item_id, location_id
        on conflict (order_id, variant_id, item_id, location_id)
        do update set quantity = stock_reservation.quantity + excluded.quantity
        returning variant_id, item_id, location_id, quantity, null::timestamptz as expires_at
      )`,
    extra: allocationResult,
    meta: {
      reason: 'commit',
      reasonWhenNegative: 'release',
      referenceType: 'order',
      referenceId: input.orderId,
      actor,
    },
  };
}

/** What both statements answer: the short lines, the rows written and when the new holds expire. */
const allocationResult = sql`
      (select coalesce(json_agg(variant_id order by variant_id), '[]'::json)::text from short_lines) as short,
      (select coalesce(json_agg(json_build_object('variantId', variant_id, 'itemId', item_id,
          'locationId', location_id, 'quantity', quantity) order by variant_id, item_id, location_id), '[]'::json)::text
         from ins) as holds,
      (select min(expires_at) from ins) as expires_at`;

/** Runs a hold or reserve statement under the cart's lock; short stock throws with nothing changed. */
async function allocate(
  deps: InventoryDeps,
  tx: Tx,
  cartId: string,
  lines: StockLine[],
  statement: ChangeOptions,
): Promise<HoldResult> {
  await lockCart(tx, cartId);
  const result = await changeLevels(tx, statement);
  const short = JSON.parse(String(result.extra.short)) as string[];
  if (short.length > 0 || !result.applied) {
    const ids = short.length > 0 ? short : lines.map((l) => l.variantId);
    throw new InsufficientStockError(await shortLines(tx, lines, ids));
  }
  await afterStockChange(
    deps,
    tx,
    result.levels.map((l) => l.itemId),
    result.levels,
  );
  const expiresAt = result.extra.expires_at as Date | string | null;
  return {
    cartId,
    expiresAt: expiresAt ? new Date(expiresAt).toISOString() : null,
    holds: JSON.parse(String(result.extra.holds)),
  };
}

/**
 * Refuses a checkout at once, before it does any work, when the stock is plainly not there (see `shortVariants`);
 * the reservation at the end of the checkout stays the authority.
 * @throws InsufficientStockError (409 `INSUFFICIENT_STOCK`).
 */
export async function assertStockLikely(tx: Tx, input: { cartId: string; lines: StockLine[] }): Promise<void> {
  const lines = mergeLines(input.lines);
  const short = await shortVariants(tx, { cartId: input.cartId, lines });
  if (short.length > 0) throw new InsufficientStockError(short);
}

async function shortLines(tx: Tx, lines: StockLine[], variantIds: string[]) {
  const comps = await tx
    .selectFrom('variant_component')
    .select(['variant_id', 'item_id'])
    .where('variant_id', 'in', variantIds)
    .execute();
  const snap = await stockSnapshot(
    tx,
    comps.map((c) => c.item_id),
  );
  return lines
    .filter((l) => variantIds.includes(l.variantId))
    .map((l) => ({
      variantId: l.variantId,
      requested: l.quantity,
      available: snap.variants.find((v) => v.variantId === l.variantId)?.available ?? 0,
    }));
}

/** Gives back every hold of the cart (one statement). Returns how many hold rows were released. */
export async function release(
  deps: InventoryDeps,
  tx: Tx,
  cartId: string,
  actor: AuditContext = systemActor,
): Promise<number> {
  await lockCart(tx, cartId);
  const result = await changeLevels(tx, {
    ctes: sql`
      old as (select id, item_id, location_id, quantity from stock_hold where cart_id = ${cartId} order by id for update),
      d as (select item_id, location_id, 0 as d_on_hand, 0 as d_reserved, -sum(quantity)::int as d_held,
                   null::int as expect_on_hand, null::text as ref_id from old group by item_id, location_id)`,
    after: sql`del as (delete from stock_hold where id in (select id from old) and not exists (select 1 from bad) returning id)`,
    extra: sql`(select count(*)::int from del) as released`,
    meta: { reason: 'release', referenceType: 'cart', referenceId: cartId, actor },
  });
  await afterStockChange(
    deps,
    tx,
    result.levels.map((l) => l.itemId),
    result.levels,
  );
  return Number(result.extra.released);
}
