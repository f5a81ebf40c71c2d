import { type Selectable, sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Db, Queryable } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { ForeignKeyViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { type FieldError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { UnknownReferenceError } from './checkout.errors.js';
import type { ShippingOptionTable, WeightBand } from './checkout.tables.js';
import { type ShippingCart, type ShippingPrice, shippingOptionsFor } from './shipping.js';

/** Shipping options of a region, each shipped from one stock location and priced flat, free above, or by weight. */

export interface ShippingOption {
  id: string;
  regionId: string;
  stockLocationId: string;
  name: string;
  active: boolean;
  price: ShippingPrice;
  createdAt: string;
  updatedAt: string;
}

export interface PriceInput {
  kind: ShippingPrice['kind'];
  amount?: number | undefined;
  threshold?: number | undefined;
  bands?: WeightBand[] | undefined;
}

export interface ShippingOptionInput {
  name: string;
  stockLocationId: string;
  active?: boolean | undefined;
  price: PriceInput;
}

function priceOf(row: Selectable<ShippingOptionTable>): ShippingPrice {
  if (row.kind === 'flat') return { kind: 'flat', amount: Number(row.amount) };
  if (row.kind === 'free_above') {
    return { kind: 'free_above', amount: Number(row.amount), threshold: Number(row.threshold) };
  }
  return { kind: 'weight_bands', bands: row.bands ?? [] };
}

const view = (row: Selectable<ShippingOptionTable>): ShippingOption => ({
  id: row.id,
  regionId: row.region_id,
  stockLocationId: row.stock_location_id,
  name: row.name,
  active: row.active,
  price: priceOf(row),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Checks that the fields fit the kind (a JSON schema cannot say "threshold only with free_above"). */
function parsePrice(input: PriceInput): ShippingPrice {
  const errors: FieldError[] = [];
  const need = (field: 'amount' | 'threshold' | 'bands', wanted: boolean) => {
    const present = input[field] !== undefined;
    if (wanted && !present)
      errors.push({ path: `/body/price/${field}`, message: `is required for kind ${input.kind}` });
    if (!wanted && present)
      errors.push({ path: `/body/price/${field}`, message: `is not allowed for kind ${input.kind}` });
  };
  need('amount', input.kind !== 'weight_bands');
  need('threshold', input.kind === 'free_above');
  need('bands', input.kind === 'weight_bands');
  (input.bands ?? []).forEach((band, i, bands) => {
    const previous = bands[i - 1];
    if (previous && band.maxGrams <= previous.maxGrams) {
      errors.push({ path: `/body/price/bands/${i}/maxGrams`, message: 'must be greater than the previous band' });
    }
  });
  if (errors.length > 0) throw new ValidationError(errors);
  if (input.kind === 'flat') return { kind: 'flat', amount: input.amount as number };
  if (input.kind === 'free_above') {
    return { kind: 'free_above', amount: input.amount as number, threshold: input.threshold as number };
  }
  return { kind: 'weight_bands', bands: (input.bands ?? []).map((b) => ({ maxGrams: b.maxGrams, amount: b.amount })) };
}

const priceColumns = (price: ShippingPrice) => ({
  kind: price.kind,
  amount: price.kind === 'weight_bands' ? null : price.amount,
  threshold: price.kind === 'free_above' ? price.threshold : null,
  bands: price.kind === 'weight_bands' ? jsonb(price.bands) : null,
});

function writeError(err: unknown): unknown {
  if (err instanceof ForeignKeyViolationError)
    return new UnknownReferenceError('stock location', '/body/stockLocationId');
  return err;
}

/** A region's options (inactive ones included), by name. */
export async function listShippingOptions(db: Queryable, regionId: string): Promise<ShippingOption[]> {
  const rows = await db
    .selectFrom('shipping_option')
    .selectAll()
    .where('region_id', '=', regionId)
    .orderBy('name')
    .orderBy('id')
    .execute();
  return rows.map(view);
}

/** @throws {NotFoundError} for an unknown id. */
export async function getShippingOption(db: Queryable, id: string): Promise<ShippingOption> {
  const row = await db.selectFrom('shipping_option').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('Shipping option', id);
  return view(row);
}

/** The region's active options that can ship `cart`, each with its price (see `shippingOptionsFor`). */
export async function availableShippingOptions(db: Queryable, regionId: string, cart: ShippingCart) {
  return shippingOptionsFor(await listShippingOptions(db, regionId), cart);
}

/**
 * Adds an option to a region. @throws {NotFoundError} 404 for an unknown region, {@link UnknownReferenceError}
 * 404 for an unknown stock location, {@link ValidationError} 400 when the price fields do not fit the kind.
 */
export async function createShippingOption(
  db: Db,
  ctx: AuditContext,
  regionId: string,
  input: ShippingOptionInput,
): Promise<ShippingOption> {
  const price = parsePrice(input.price);
  const id = newId('shippingOption');
  try {
    return await withTransaction(db, async (tx) => {
      const region = await tx
        .selectFrom('region')
        .select('id')
        .where('id', '=', regionId)
        .forShare()
        .executeTakeFirst();
      if (!region) throw new NotFoundError('Region', regionId);
      await tx
        .insertInto('shipping_option')
        .values({
          id,
          region_id: regionId,
          stock_location_id: input.stockLocationId,
          name: input.name.trim(),
          active: input.active ?? true,
          ...priceColumns(price),
        })
        .execute();
      const created = await getShippingOption(tx, id);
      await recordAudit(tx, ctx, {
        action: 'shipping_option.created',
        targetType: 'shipping_option',
        targetId: id,
        changes: {
          regionId,
          name: created.name,
          stockLocationId: created.stockLocationId,
          price,
          active: created.active,
        },
      });
      return created;
    });
  } catch (err) {
    throw writeError(err);
  }
}

/** Changes an option; `price` replaces the whole price. Errors as on create. */
export async function updateShippingOption(
  db: Db,
  ctx: AuditContext,
  id: string,
  patch: Partial<ShippingOptionInput>,
): Promise<ShippingOption> {
  const price = patch.price ? parsePrice(patch.price) : undefined;
  try {
    return await withTransaction(db, async (tx) => {
      const row = await tx
        .selectFrom('shipping_option')
        .selectAll()
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw new NotFoundError('Shipping option', id);
      const before = view(row);
      await tx
        .updateTable('shipping_option')
        .set({
          ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
          ...(patch.stockLocationId !== undefined ? { stock_location_id: patch.stockLocationId } : {}),
          ...(patch.active !== undefined ? { active: patch.active } : {}),
          ...(price ? priceColumns(price) : {}),
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .execute();
      const after = await getShippingOption(tx, id);
      const changes: Record<string, unknown> = {};
      for (const key of ['name', 'stockLocationId', 'active', 'price'] as const) {
        if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
          changes[key] = { from: before[key], to: after[key] };
      }
      await recordAudit(tx, ctx, {
        action: 'shipping_option.updated',
        targetType: 'shipping_option',
        targetId: id,
        changes,
      });
      return after;
    });
  } catch (err) {
    throw writeError(err);
  }
}

/** Deletes an option. @throws {NotFoundError} 404. */
export async function deleteShippingOption(db: Db, ctx: AuditContext, id: string): Promise<void> {
  await withTransaction(db, async (tx) => {
    const row = await tx.selectFrom('shipping_option').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new NotFoundError('Shipping option', id);
    await tx.deleteFrom('shipping_option').where('id', '=', id).execute();
    await recordAudit(tx, ctx, {
      action: 'shipping_option.deleted',
      targetType: 'shipping_option',
      targetId: id,
      changes: { regionId: row.region_id, name: row.name },
    });
  });
}
