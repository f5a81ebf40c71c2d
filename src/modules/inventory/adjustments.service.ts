import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { ValidationError } from '../../platform/errors.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { afterStockChange } from './availability.js';
import type { InventoryDeps } from './deps.js';
import { LevelShortError, OnHandMismatchError } from './inventory.errors.js';
import { getItem, type ItemView, requireItem, requireLocation } from './items.service.js';
import { changeLevels, type LevelChange, type MovementReason } from './levels.sql.js';

/** Reasons an admin may give for an adjustment (the ledger also knows hold, commit, fulfil …). */
export const adjustmentReasons = [
  'received',
  'return',
  'restock',
  'damaged',
  'lost',
  'found',
  'correction',
  'cycle_count',
] as const satisfies readonly MovementReason[];
export type AdjustmentReason = (typeof adjustmentReasons)[number];

export interface AdjustInput {
  locationId: string;
  /** Change on hand by this many units (±). */
  delta?: number | undefined;
  /** Or set on hand to this value, only if it is still `expectedOnHand` (compare-and-set). */
  set?: number | undefined;
  expectedOnHand?: number | undefined;
  reason: AdjustmentReason;
  note?: string | undefined;
}

export interface TransferInput {
  itemId: string;
  fromLocationId: string;
  toLocationId: string;
  quantity: number;
  note?: string | undefined;
}

/** Makes sure the level rows exist (an item and a location created at the same moment may miss theirs). */
async function ensureLevels(tx: Tx, itemId: string, locationIds: string[]): Promise<void> {
  await sql`
    insert into inventory_level (item_id, location_id, allow_backorder)
    select i.id, loc, i.allow_backorder from inventory_item i, unnest(${locationIds}::text[]) as loc
     where i.id = ${itemId}
    on conflict do nothing`.execute(tx);
}

function levelOf(changes: LevelChange[], locationId: string): LevelChange {
  const l = changes.find((c) => c.locationId === locationId);
  if (!l) throw new Error(`no level change for ${locationId}`);
  return l;
}

function refuse(itemId: string, l: LevelChange, expected?: number): never {
  const b = l.before ?? { onHand: 0, reserved: 0, held: 0 };
  if (expected !== undefined && b.onHand !== expected) throw new OnHandMismatchError(b.onHand);
  throw new LevelShortError(itemId, l.locationId, b.onHand - b.reserved - b.held, b.onHand);
}

/**
 * Adjusts on hand at one location by `delta`, or sets it with compare-and-set, in one conditional
 * statement that also writes the ledger row.
 * @throws ValidationError (neither or both of delta/set), NotFoundError, OnHandMismatchError,
 *   LevelShortError (on hand below zero, or available below zero without backorders).
 */
export async function adjustStock(
  deps: InventoryDeps,
  ctx: AuditContext,
  itemId: string,
  input: AdjustInput,
): Promise<ItemView> {
  const bySet = input.set !== undefined;
  if (bySet === (input.delta !== undefined)) {
    throw new ValidationError([{ path: '/body/delta', message: 'give either delta, or set with expectedOnHand' }]);
  }
  if (bySet && input.expectedOnHand === undefined) {
    throw new ValidationError([{ path: '/body/expectedOnHand', message: 'is required with set' }]);
  }
  if (!bySet && input.delta === 0) throw new ValidationError([{ path: '/body/delta', message: 'must not be 0' }]);
  const delta = bySet ? (input.set as number) - (input.expectedOnHand as number) : (input.delta as number);
  return withTransaction(deps.db, async (tx) => {
    await requireItem(tx, itemId);
    await requireLocation(tx, input.locationId);
    await ensureLevels(tx, itemId, [input.locationId]);
    const result = await changeLevels(tx, {
      ctes: sql`d as (select ${itemId}::text as item_id, ${input.locationId}::text as location_id,
        ${delta}::int as d_on_hand, 0 as d_reserved, 0 as d_held,
        ${bySet ? (input.expectedOnHand ?? null) : null}::int as expect_on_hand, null::text as ref_id)`,
      meta: {
        reason: input.reason,
        referenceType: 'adjustment',
        referenceId: ctx.requestId,
        note: input.note,
        actor: ctx,
      },
    });
    const level = levelOf(result.levels, input.locationId);
    if (!result.applied) refuse(itemId, level, bySet ? input.expectedOnHand : undefined);
    const from = level.before?.onHand ?? 0;
    await recordAudit(tx, ctx, {
      action: 'inventory.adjusted',
      targetType: 'inventory_item',
      targetId: itemId,
      changes: {
        locationId: input.locationId,
        reason: input.reason,
        note: input.note ?? null,
        onHand: { from, to: from + delta },
      },
    });
    await afterStockChange(deps, tx, [itemId], result.levels, ctx.requestId);
    const item = await getItem(tx, itemId);
    // The note stays in the audit log: free text may name people, and events reach webhook endpoints.
    await appendEvent(tx, {
      type: 'inventory.adjusted',
      aggregateId: itemId,
      payload: {
        itemId,
        sku: item.sku,
        variantId: item.variantId,
        locationId: input.locationId,
        locationCode: item.levels.find((l) => l.locationId === input.locationId)?.locationCode ?? null,
        delta,
        onHand: from + delta,
        reason: input.reason,
        available: item.available,
      },
      ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
    });
    return item;
  });
}

/**
 * Moves units between two locations in one statement (two ledger rows, reason `transfer`).
 * Refuses unless `quantity` is available at the source, backorders or not.
 */
export async function transferStock(deps: InventoryDeps, ctx: AuditContext, input: TransferInput): Promise<ItemView> {
  if (input.fromLocationId === input.toLocationId) {
    throw new ValidationError([{ path: '/body/toLocationId', message: 'must differ from fromLocationId' }]);
  }
  return withTransaction(deps.db, async (tx) => {
    await requireItem(tx, input.itemId);
    await requireLocation(tx, input.fromLocationId);
    await requireLocation(tx, input.toLocationId);
    await ensureLevels(tx, input.itemId, [input.fromLocationId, input.toLocationId]);
    const result = await changeLevels(tx, {
      ctes: sql`d as (select * from (values
        (${input.itemId}::text, ${input.fromLocationId}::text, ${-input.quantity}::int, 0, 0, null::int, null::text),
        (${input.itemId}::text, ${input.toLocationId}::text, ${input.quantity}::int, 0, 0, null::int, null::text)
      ) as v(item_id, location_id, d_on_hand, d_reserved, d_held, expect_on_hand, ref_id))`,
      meta: { reason: 'transfer', referenceType: 'transfer', referenceId: ctx.requestId, note: input.note, actor: ctx },
      strict: true,
    });
    if (!result.applied) refuse(input.itemId, levelOf(result.levels, input.fromLocationId));
    await recordAudit(tx, ctx, {
      action: 'inventory.transferred',
      targetType: 'inventory_item',
      targetId: input.itemId,
      changes: {
        from: input.fromLocationId,
        to: input.toLocationId,
        quantity: input.quantity,
        note: input.note ?? null,
      },
    });
    await afterStockChange(deps, tx, [input.itemId], result.levels, ctx.requestId);
    return getItem(tx, input.itemId);
  });
}
