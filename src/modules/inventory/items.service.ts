import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Queryable, Tx } from '../../platform/db/database.js';
import { CheckViolationError, ForeignKeyViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { afterStockChange } from './availability.js';
import type { InventoryDeps } from './deps.js';
import { BackordersOutstandingError } from './inventory.errors.js';

export interface LevelView {
  locationId: string;
  locationCode: string;
  active: boolean;
  onHand: number;
  reserved: number;
  held: number;
  available: number;
}

export interface ItemView {
  id: string;
  sku: string;
  variantId: string | null;
  tracked: boolean;
  allowBackorder: boolean;
  lowStockThreshold: number;
  /** Sellable units over active locations (null when not tracked). */
  available: number | null;
  lowStock: boolean;
  levels: LevelView[];
}

export interface ItemQuery {
  limit: number;
  cursor?: string | undefined;
  sku?: string | undefined;
  /** Exact SKUs; OR-ed with `sku` when both are given. */
  skus?: string[] | undefined;
  locationId?: string | undefined;
  lowStock?: boolean | undefined;
}

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Creates the inventory item of each new variant (tracked, no stock, a level at every location)
 * and makes it the variant's only component, in the caller's transaction (one statement). Variants
 * that already have an item are left alone; an unlinked item with the same SKU (its variant was
 * deleted) is linked to the new variant, stock and ledger included.
 */
export async function ensureInventoryItems(
  deps: InventoryDeps,
  tx: Tx,
  variants: { variantId: string; sku: string }[],
): Promise<void> {
  if (variants.length === 0) return;
  const res = await sql<{ id: string }>`
    with v as (select * from unnest(${variants.map((v) => v.variantId)}::text[], ${variants.map((v) => v.sku)}::text[])
                 as t(variant_id, sku)),
    ins as (
      insert into inventory_item (id, sku, variant_id)
      select inventory_typeid('iitem'), sku, variant_id from v
       where not exists (select 1 from inventory_item i where i.variant_id = v.variant_id)
       order by variant_id
      -- An item left behind by a deleted variant with the same SKU is linked again, with its stock.
      on conflict (sku) do update set variant_id = excluded.variant_id, updated_at = now()
        where inventory_item.variant_id is null
      returning id, variant_id, allow_backorder
    ),
    comp as (
      insert into variant_component (variant_id, item_id, quantity) select variant_id, id, 1 from ins
      on conflict do nothing
    ),
    lv as (
      insert into inventory_level (item_id, location_id, allow_backorder)
      select ins.id, s.id, ins.allow_backorder from ins cross join stock_location s
      on conflict do nothing
    )
    select id from ins`.execute(tx);
  await afterStockChange(
    deps,
    tx,
    res.rows.map((r) => r.id),
  );
}

/**
 * Items with their levels, ordered by SKU; `sku` (contains) and `skus` (exact) match either when both are
 * given; `lowStock` keeps tracked items at or under their threshold.
 */
export async function listItems(db: Queryable, q: ItemQuery): Promise<{ data: ItemView[]; nextCursor: string | null }> {
  const rows = await sql<{ id: string; sku: string }>`
    select i.id, i.sku from inventory_item i
     where ((${q.sku ?? null}::text is null and ${q.skus ?? null}::text[] is null)
            or i.sku ilike ${like(q.sku ?? '')} and ${q.sku ?? null}::text is not null
            or i.sku = any(${q.skus ?? []}::text[]))
       and (${q.cursor ?? null}::text is null or i.sku > ${q.cursor ?? ''})
       and (not ${q.lowStock ?? false}::boolean or (i.tracked and i.low_stock_threshold >= (
              select coalesce(sum(l.on_hand - l.reserved - l.held), 0) from inventory_level l
                join stock_location s on s.id = l.location_id
               where l.item_id = i.id and s.active
                 and (${q.locationId ?? null}::text is null or l.location_id = ${q.locationId ?? ''}))))
     order by i.sku limit ${q.limit + 1}`.execute(db);
  const page = rows.rows.slice(0, q.limit);
  const data = await itemViews(
    db,
    page.map((r) => r.id),
    q.locationId,
  );
  return { data, nextCursor: rows.rows.length > q.limit ? (page.at(-1)?.sku ?? null) : null };
}

export async function getItem(db: Queryable, id: string): Promise<ItemView> {
  const [item] = await itemViews(db, [id]);
  if (!item) throw new NotFoundError('Inventory item', id);
  return item;
}

/** Items by id (in SKU order) with their levels, optionally at one location only. */
export async function itemViews(db: Queryable, ids: readonly string[], locationId?: string): Promise<ItemView[]> {
  if (ids.length === 0) return [];
  const items = await db
    .selectFrom('inventory_item')
    .selectAll()
    .where('id', 'in', [...ids])
    .orderBy('sku')
    .execute();
  let lq = db
    .selectFrom('inventory_level as l')
    .innerJoin('stock_location as s', 's.id', 'l.location_id')
    .select(['l.item_id', 'l.location_id', 's.code', 's.active', 'l.on_hand', 'l.reserved', 'l.held'])
    .where('l.item_id', 'in', [...ids])
    .orderBy('s.priority')
    .orderBy('s.id');
  if (locationId) lq = lq.where('l.location_id', '=', locationId);
  const levels = await lq.execute();
  return items.map((i) => {
    const mine = levels
      .filter((l) => l.item_id === i.id)
      .map((l) => ({
        locationId: l.location_id,
        locationCode: l.code,
        active: l.active,
        onHand: l.on_hand,
        reserved: l.reserved,
        held: l.held,
        available: l.on_hand - l.reserved - l.held,
      }));
    const available = i.tracked ? mine.filter((l) => l.active).reduce((n, l) => n + l.available, 0) : null;
    return {
      id: i.id,
      sku: i.sku,
      variantId: i.variant_id,
      tracked: i.tracked,
      allowBackorder: i.allow_backorder,
      lowStockThreshold: i.low_stock_threshold,
      available,
      lowStock: available !== null && available <= i.low_stock_threshold,
      levels: mine,
    };
  });
}

export interface ItemSettings {
  tracked?: boolean | undefined;
  allowBackorder?: boolean | undefined;
  lowStockThreshold?: number | undefined;
}

/**
 * Changes an item's settings; the backorder flag is copied onto its levels in the same statement
 * (their CHECK constraint needs it). @throws BackordersOutstandingError turning backorders off
 * while a level has more promised than on hand.
 */
export async function updateItemSettings(
  deps: InventoryDeps,
  ctx: AuditContext,
  id: string,
  patch: ItemSettings,
): Promise<ItemView> {
  try {
    return await withTransaction(deps.db, async (tx) => {
      const row = await tx.selectFrom('inventory_item').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw new NotFoundError('Inventory item', id);
      // Lock the levels first, so the update below reads their latest values (see levels.sql.ts).
      await sql`select 1 from inventory_level where item_id = ${id} order by location_id for update`.execute(tx);
      await sql`
        with it as (
          update inventory_item
             set tracked = coalesce(${patch.tracked ?? null}::boolean, tracked),
                 allow_backorder = coalesce(${patch.allowBackorder ?? null}::boolean, allow_backorder),
                 low_stock_threshold = coalesce(${patch.lowStockThreshold ?? null}::int, low_stock_threshold),
                 updated_at = now()
           where id = ${id}
          returning id, allow_backorder
        )
        update inventory_level l set allow_backorder = it.allow_backorder from it where l.item_id = it.id`.execute(tx);
      const changes: Record<string, unknown> = {};
      const pairs = [
        ['tracked', row.tracked, patch.tracked],
        ['allowBackorder', row.allow_backorder, patch.allowBackorder],
        ['lowStockThreshold', row.low_stock_threshold, patch.lowStockThreshold],
      ] as const;
      for (const [name, from, to] of pairs) if (to !== undefined && to !== from) changes[name] = { from, to };
      await recordAudit(tx, ctx, {
        action: 'inventory_item.updated',
        targetType: 'inventory_item',
        targetId: id,
        changes,
      });
      await afterStockChange(deps, tx, [id]);
      return getItem(tx, id);
    });
  } catch (err) {
    if (err instanceof CheckViolationError && err.constraint === 'inventory_level_available_check') {
      throw new BackordersOutstandingError();
    }
    throw err;
  }
}

/**
 * Makes a variant consume these items (a bundle or kit), replacing its components.
 * @throws NotFoundError for an unknown variant or item.
 */
export async function setVariantComponents(
  deps: InventoryDeps,
  ctx: AuditContext,
  variantId: string,
  components: { itemId: string; quantity: number }[],
): Promise<{ variantId: string; components: { itemId: string; quantity: number }[] }> {
  const merged = new Map<string, number>();
  for (const c of components) merged.set(c.itemId, (merged.get(c.itemId) ?? 0) + c.quantity);
  const list = [...merged].map(([itemId, quantity]) => ({ itemId, quantity }));
  try {
    return await withTransaction(deps.db, async (tx) => {
      const old = await tx
        .deleteFrom('variant_component')
        .where('variant_id', '=', variantId)
        .returning(['item_id', 'quantity'])
        .execute();
      await tx
        .insertInto('variant_component')
        .values(list.map((c) => ({ variant_id: variantId, item_id: c.itemId, quantity: c.quantity })))
        .execute();
      await recordAudit(tx, ctx, {
        action: 'variant_components.replaced',
        targetType: 'variant',
        targetId: variantId,
        changes: { from: old.map((o) => ({ itemId: o.item_id, quantity: o.quantity })), to: list },
      });
      await afterStockChange(deps, tx, [...old.map((o) => o.item_id), ...list.map((c) => c.itemId)]);
      return { variantId, components: list };
    });
  } catch (err) {
    if (err instanceof ForeignKeyViolationError) {
      throw new NotFoundError(err.constraint?.includes('variant_id') ? 'Variant' : 'Inventory item');
    }
    throw err;
  }
}

export async function requireItem(db: Queryable, id: string): Promise<void> {
  const row = await db.selectFrom('inventory_item').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('Inventory item', id);
}

export async function requireLocation(db: Queryable, id: string): Promise<void> {
  const row = await db.selectFrom('stock_location').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('Stock location', id);
}
