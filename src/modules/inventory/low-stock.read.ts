import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import './inventory.tables.js';

/** One low item: what is sellable over the active locations, and where it is. */
export interface LowStockItem {
  itemId: string;
  sku: string;
  variantId: string | null;
  /** Sellable units over active locations (on hand − reserved − held); negative with backorders. */
  available: number;
  lowStockThreshold: number;
  /** Per active location, most stocked first. */
  locations: { locationId: string; code: string; name: string; available: number }[];
}

interface Row {
  id: string;
  sku: string;
  variant_id: string | null;
  threshold: number;
  available: number;
  total: number;
  locations: LowStockItem['locations'] | string;
}

/**
 * Tracked items at or below their low-stock threshold — the same rule as `inventory.low_stock` and the items list's
 * `lowStock` filter: the sum over active locations — emptiest first (then by SKU), at most `limit`, with how many
 * there are in all. One statement: a grouped scan of the levels, then the locations of the `limit` items only.
 */
export async function lowStockItems(db: Queryable, limit: number): Promise<{ total: number; items: LowStockItem[] }> {
  const res = await sql<Row>`
    with lv as (
      select l.item_id, sum(l.on_hand - l.reserved - l.held)::int as available
        from inventory_level l join stock_location s on s.id = l.location_id
       where s.active
       group by l.item_id
    ),
    low as (
      select i.id, i.sku, i.variant_id, i.low_stock_threshold as threshold, coalesce(lv.available, 0) as available,
             count(*) over ()::int as total
        from inventory_item i left join lv on lv.item_id = i.id
       where i.tracked and coalesce(lv.available, 0) <= i.low_stock_threshold
       order by available, i.sku
       limit ${limit}
    )
    select low.*, coalesce((
      select json_agg(json_build_object('locationId', s.id, 'code', s.code, 'name', s.name,
                                        'available', l.on_hand - l.reserved - l.held)
                      order by l.on_hand - l.reserved - l.held desc, s.priority, s.id)
        from inventory_level l join stock_location s on s.id = l.location_id
       where l.item_id = low.id and s.active), '[]'::json) as locations
      from low
     order by low.available, low.sku`.execute(db);
  return {
    total: res.rows[0]?.total ?? 0,
    items: res.rows.map((r) => ({
      itemId: r.id,
      sku: r.sku,
      variantId: r.variant_id,
      available: r.available,
      lowStockThreshold: r.threshold,
      locations: typeof r.locations === 'string' ? JSON.parse(r.locations) : r.locations,
    })),
  };
}
