import { sql } from 'kysely';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { Queryable, Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { ConflictError } from '../../platform/errors.js';
import { afterStockChange } from './availability.js';
import type { InventoryDeps } from './deps.js';
import { changeLevels } from './levels.sql.js';

/**
 * Sets on-hand counts in bulk (imports, seeds): each target becomes a delta against the level it
 * reads, with that reading as the compare-and-set expectation, so a sale landing between the read
 * and the write refuses the whole batch instead of being overwritten. One statement for the
 * levels and their ledger rows (reason `received`, or `correction` when stock goes down).
 */

export interface StockTarget {
  variantId: string;
  locationId: string;
  onHand: number;
}

export class StockChangedDuringImportError extends ConflictError {
  constructor() {
    super(
      'STOCK_CHANGED',
      'Stock changed while the import was writing it (or would fall below what is reserved); run the import again.',
    );
  }
}

export async function setStockLevels(
  deps: InventoryDeps,
  tx: Tx,
  ctx: AuditContext,
  input: { targets: readonly StockTarget[]; referenceId: string | null },
): Promise<{ levelsChanged: number }> {
  if (input.targets.length === 0) return { levelsChanged: 0 };
  const targets = jsonb(
    input.targets.map((t) => ({ variant_id: t.variantId, location_id: t.locationId, on_hand: t.onHand })),
  );
  // Levels that do not exist yet start at zero.
  await sql`
    insert into inventory_level (item_id, location_id, allow_backorder)
    select i.id, t.location_id, i.allow_backorder
      from jsonb_to_recordset(${targets}) as t(variant_id text, location_id text, on_hand int)
      join inventory_item i on i.variant_id = t.variant_id
    on conflict do nothing`.execute(tx);
  const result = await changeLevels(tx, {
    ctes: sql`t as (
        select i.id as item_id, x.location_id, x.on_hand
          from jsonb_to_recordset(${targets}) as x(variant_id text, location_id text, on_hand int)
          join inventory_item i on i.variant_id = x.variant_id
      ),
      d as (
        select t.item_id, t.location_id, (t.on_hand - l.on_hand)::int as d_on_hand, 0 as d_reserved, 0 as d_held,
               l.on_hand as expect_on_hand, null::text as ref_id
          from t join inventory_level l on l.item_id = t.item_id and l.location_id = t.location_id
         where t.on_hand <> l.on_hand
      )`,
    meta: {
      reason: 'received',
      reasonWhenNegative: 'correction',
      referenceType: 'import',
      referenceId: input.referenceId,
      actor: ctx,
    },
  });
  if (!result.applied) throw new StockChangedDuringImportError();
  const changed = result.levels.filter((l) => l.delta.onHand !== 0);
  if (changed.length > 0)
    await afterStockChange(
      deps,
      tx,
      changed.map((l) => l.itemId),
      changed,
      ctx.requestId,
    );
  return { levelsChanged: changed.length };
}

/** On-hand counts per variant and location code (exports), one statement. */
export async function onHandByVariant(
  db: Queryable,
  variantIds: readonly string[],
): Promise<Map<string, Record<string, number>>> {
  if (variantIds.length === 0) return new Map();
  const res = await sql<{ variant_id: string; code: string; on_hand: number }>`
    select i.variant_id, s.code, l.on_hand
      from inventory_item i
      join inventory_level l on l.item_id = i.id
      join stock_location s on s.id = l.location_id
     where i.variant_id = any(${[...variantIds]}::text[])`.execute(db);
  const out = new Map<string, Record<string, number>>();
  for (const r of res.rows) {
    const m = out.get(r.variant_id) ?? {};
    m[r.code] = r.on_hand;
    out.set(r.variant_id, m);
  }
  return out;
}
