import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { appendEvents } from '../../platform/outbox/outbox.js';
import type { InventoryDeps, VariantStockUpdate } from './deps.js';
import type { LevelChange } from './levels.sql.js';

/**
 * After a stock change, in the same transaction: recompute the availability of every variant
 * that consumes an affected item (one statement), hand it to catalog, and emit
 * `inventory.low_stock` / `inventory.back_in_stock` for items whose sellable stock crossed a line.
 */

interface ItemTotal {
  id: string;
  sku: string;
  variantId: string | null;
  tracked: boolean;
  threshold: number;
  available: number;
}

export interface StockSnapshot {
  variants: VariantStockUpdate[];
  items: ItemTotal[];
}

/**
 * Sellable stock of these items (summed over active locations) and of every variant consuming
 * them: bundles get the minimum over tracked components of ⌊available ÷ quantity⌋; a variant
 * without tracked components is unlimited (`available: null`).
 */
export async function stockSnapshot(tx: Tx, itemIds: readonly string[]): Promise<StockSnapshot> {
  const res = await sql<{ variants: string; items: string }>`
    with affected as (select distinct variant_id from variant_component where item_id = any(${[...itemIds]}::text[])),
    comp as (select c.variant_id, c.item_id, c.quantity from variant_component c where c.variant_id in (select variant_id from affected)),
    -- The ids as a set to join (an "id = any(big array) or id in (…)" filter scans every item).
    ids as (select unnest(${[...itemIds]}::text[]) as id union select item_id from comp),
    totals as (
      select i.id, i.sku, i.variant_id, i.tracked, i.allow_backorder, i.low_stock_threshold,
             coalesce(sum(l.on_hand - l.reserved - l.held) filter (where s.active), 0)::int as available
        from ids
        join inventory_item i on i.id = ids.id
        left join inventory_level l on l.item_id = i.id
        left join stock_location s on s.id = l.location_id
       group by i.id
    ),
    variants as (
      select c.variant_id,
             case when bool_or(t.tracked) then min(floor(t.available::numeric / c.quantity)) filter (where t.tracked)
             end::int as available,
             coalesce(bool_and(t.allow_backorder) filter (where t.tracked), false) as allow_backorder,
             coalesce((select o.low_stock_threshold from inventory_item o where o.variant_id = c.variant_id), 0) as threshold
        from comp c join totals t on t.id = c.item_id
       group by c.variant_id
    )
    select
      (select coalesce(json_agg(json_build_object('variantId', variant_id, 'available', available,
         'allowBackorder', allow_backorder, 'lowStockThreshold', threshold) order by variant_id), '[]'::json)::text
         from variants) as variants,
      (select coalesce(json_agg(json_build_object('id', id, 'sku', sku, 'variantId', variant_id, 'tracked', tracked,
         'threshold', low_stock_threshold, 'available', available) order by id), '[]'::json)::text
         from totals where id in (select unnest(${[...itemIds]}::text[]))) as items
  `.execute(tx);
  const row = res.rows[0] as { variants: string; items: string };
  return { variants: JSON.parse(row.variants), items: JSON.parse(row.items) };
}

/** Sellable stock of an item at one active location, as the stock events report it. */
export interface LocationStock {
  locationId: string;
  name: string;
  available: number;
  /** This change moved stock here (the others are for context). */
  changed: boolean;
}

/**
 * Per active location, the sellable stock of items that just crossed a line (one statement, and only when an event
 * is written): a low-stock email or webhook consumer can say where the stock is without asking back.
 */
async function stockByLocation(
  tx: Tx,
  itemIds: readonly string[],
  changes: readonly LevelChange[],
): Promise<Map<string, LocationStock[]>> {
  const rows = await tx
    .selectFrom('inventory_level as l')
    .innerJoin('stock_location as s', 's.id', 'l.location_id')
    .select(['l.item_id', 's.id', 's.name', sql<number>`(l.on_hand - l.reserved - l.held)::int`.as('available')])
    .where('l.item_id', 'in', [...itemIds])
    .where('s.active', '=', true)
    .orderBy('l.item_id')
    .orderBy('s.priority')
    .orderBy('s.id')
    .execute();
  const out = new Map<string, LocationStock[]>();
  for (const r of rows) {
    const changed = changes.some((c) => c.itemId === r.item_id && c.locationId === r.id);
    out.set(r.item_id, [
      ...(out.get(r.item_id) ?? []),
      { locationId: r.id, name: r.name, available: r.available, changed },
    ]);
  }
  return out;
}

type StockEventType = 'inventory.low_stock' | 'inventory.back_in_stock';

/** Tells catalog about every variant the change touched, and writes the crossing events. */
export async function afterStockChange(
  deps: InventoryDeps,
  tx: Tx,
  itemIds: readonly string[],
  changes: readonly LevelChange[] = [],
  requestId?: string | null,
): Promise<StockSnapshot> {
  const ids = [...new Set(itemIds)];
  if (ids.length === 0) return { variants: [], items: [] };
  const snap = await stockSnapshot(tx, ids);
  if (snap.variants.length > 0) await deps.onVariantStockChanged?.(tx, snap.variants);
  const crossings: { item: ItemTotal; before: number; types: StockEventType[] }[] = [];
  for (const item of snap.items) {
    if (!item.tracked) continue;
    const moved = changes
      .filter((c) => c.itemId === item.id && c.active)
      .reduce((n, c) => n + c.delta.onHand - c.delta.reserved - c.delta.held, 0);
    if (moved === 0) continue;
    const before = item.available - moved;
    const types: StockEventType[] = [];
    if (before > item.threshold && item.available <= item.threshold) types.push('inventory.low_stock');
    if (before <= 0 && item.available > 0) types.push('inventory.back_in_stock');
    if (types.length > 0) crossings.push({ item, before, types });
  }
  if (crossings.length === 0) return snap;
  const where = await stockByLocation(
    tx,
    crossings.map((c) => c.item.id),
    changes,
  );
  // One statement for all of them: setting the stock of a whole import batch crosses thousands.
  await appendEvents(
    tx,
    crossings.flatMap(({ item, before, types }) => {
      const payload = {
        itemId: item.id,
        sku: item.sku,
        variantId: item.variantId,
        available: item.available,
        previous: before,
        lowStockThreshold: item.threshold,
        locations: where.get(item.id) ?? [],
      };
      return types.map((type) => ({ type, aggregateId: item.id, payload, ...(requestId ? { requestId } : {}) }));
    }),
  );
  return snap;
}

/**
 * A cheap read before a checkout does its work: the lines whose sellable stock (active locations, this cart's own
 * holds counted as its own) cannot cover the quantity, with what is available. No locks — the conditional statement
 * that reserves decides; this only lets the buyers of a sold-out product fail at once instead of after creating their
 * order. Items that are untracked or allow backorders never count as short.
 */
export async function shortVariants(
  tx: Tx,
  input: { cartId: string; lines: readonly { variantId: string; quantity: number }[] },
): Promise<{ variantId: string; requested: number; available: number }[]> {
  if (input.lines.length === 0) return [];
  const res = await sql<{ variant_id: string; requested: number; available: number }>`
    with want as (select * from unnest(${input.lines.map((l) => l.variantId)}::text[],
                                       ${input.lines.map((l) => l.quantity)}::int[]) as t(variant_id, quantity)),
    comp as (
      select w.variant_id, w.quantity, c.item_id, c.quantity as per, (w.quantity * c.quantity)::int as need
        from want w join variant_component c on c.variant_id = w.variant_id
        join inventory_item i on i.id = c.item_id and i.tracked and not i.allow_backorder
    ),
    need as (select item_id, sum(need) as need from comp group by item_id),
    have as (
      select n.item_id, n.need,
             coalesce((select sum(l.on_hand - l.reserved - l.held) from inventory_level l
                         join stock_location s on s.id = l.location_id and s.active
                        where l.item_id = n.item_id), 0)
           + coalesce((select sum(h.quantity) from stock_hold h
                        where h.cart_id = ${input.cartId} and h.item_id = n.item_id), 0) as available
        from need n
    )
    select c.variant_id, max(c.quantity)::int as requested,
           greatest(min(floor(h.available::numeric / c.per)), 0)::int as available
      from comp c join have h on h.item_id = c.item_id
     group by c.variant_id
    having bool_or(h.available < h.need)
     order by c.variant_id`.execute(tx);
  return res.rows.map((r) => ({ variantId: r.variant_id, requested: r.requested, available: r.available }));
}
