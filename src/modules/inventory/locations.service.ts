import { type Selectable, sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Queryable } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { afterStockChange } from './availability.js';
import type { InventoryDeps } from './deps.js';
import { LocationCodeTakenError } from './inventory.errors.js';
import type { StockAddress, StockLocationTable } from './inventory.tables.js';

/** Stock locations (warehouses, shops). Holds are allocated from active ones in ascending priority. */

export interface StockLocation {
  id: string;
  code: string;
  name: string;
  address: StockAddress;
  active: boolean;
  priority: number;
  createdAt: string;
  updatedAt: string;
}

export interface LocationInput {
  code: string;
  name: string;
  address?: StockAddress | undefined;
  active?: boolean | undefined;
  priority?: number | undefined;
}

const view = (r: Selectable<StockLocationTable>): StockLocation => ({
  id: r.id,
  code: r.code,
  name: r.name,
  address: r.address,
  active: r.active,
  priority: r.priority,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

function codeTaken(err: unknown): never {
  if (err instanceof UniqueViolationError && err.constraint === 'stock_location_code_key') {
    throw new LocationCodeTakenError();
  }
  throw err;
}

export async function listLocations(db: Queryable): Promise<StockLocation[]> {
  const rows = await db.selectFrom('stock_location').selectAll().orderBy('priority').orderBy('id').execute();
  return rows.map(view);
}

export async function getLocation(db: Queryable, id: string): Promise<StockLocation> {
  const row = await db.selectFrom('stock_location').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('Stock location', id);
  return view(row);
}

/** Creates a location with an empty level for every item (one statement). */
export async function createLocation(deps: InventoryDeps, ctx: AuditContext, input: LocationInput) {
  const id = newId('stockLocation');
  try {
    return await withTransaction(deps.db, async (tx) => {
      await sql`
        with loc as (
          insert into stock_location (id, code, name, address, active, priority)
          values (${id}, ${input.code}, ${input.name.trim()}, ${jsonb(input.address ?? {})},
                  ${input.active ?? true}, ${input.priority ?? 100})
          returning id
        )
        insert into inventory_level (item_id, location_id, allow_backorder)
        select i.id, loc.id, i.allow_backorder from inventory_item i cross join loc`.execute(tx);
      await recordAudit(tx, ctx, {
        action: 'stock_location.created',
        targetType: 'stock_location',
        targetId: id,
        changes: { ...input },
      });
      return getLocation(tx, id);
    });
  } catch (err) {
    return codeTaken(err);
  }
}

/**
 * Renames, moves, re-prioritises or (de)activates a location. Stock at an inactive location is not
 * sellable, so toggling `active` recomputes every variant stocked there.
 */
export async function updateLocation(
  deps: InventoryDeps,
  ctx: AuditContext,
  id: string,
  patch: Partial<LocationInput>,
): Promise<StockLocation> {
  try {
    return await withTransaction(deps.db, async (tx) => {
      const row = await tx.selectFrom('stock_location').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw new NotFoundError('Stock location', id);
      const changes: Record<string, unknown> = {};
      const next = {
        code: patch.code ?? row.code,
        name: patch.name?.trim() ?? row.name,
        address: patch.address ?? row.address,
        active: patch.active ?? row.active,
        priority: patch.priority ?? row.priority,
      };
      for (const k of Object.keys(next) as (keyof typeof next)[]) {
        if (JSON.stringify(next[k]) !== JSON.stringify(row[k])) changes[k] = { from: row[k], to: next[k] };
      }
      if (Object.keys(changes).length === 0) return view(row);
      await tx
        .updateTable('stock_location')
        .set({
          code: next.code,
          name: next.name,
          address: jsonb(next.address),
          active: next.active,
          priority: next.priority,
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .execute();
      await recordAudit(tx, ctx, {
        action: 'stock_location.updated',
        targetType: 'stock_location',
        targetId: id,
        changes,
      });
      if (changes.active) {
        const items = await tx.selectFrom('inventory_level').select('item_id').where('location_id', '=', id).execute();
        await afterStockChange(
          deps,
          tx,
          items.map((i) => i.item_id),
        );
      }
      return getLocation(tx, id);
    });
  } catch (err) {
    return codeTaken(err);
  }
}
