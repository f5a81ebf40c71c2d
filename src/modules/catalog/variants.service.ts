import { sql } from 'kysely';
import type { AuditContext } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import type { CatalogDeps } from './catalog.deps.js';
import type { ProductViewT, UpdateVariantInput, VariantInputT } from './products.schemas.js';
import { claimProductVersion, finishProductChange, productWriteError } from './products.service.js';
import { checkVariants, type OptionDef, optionErrors, priceErrors } from './products.validate.js';
import { insertVariants, replacePrices, skuConflicts } from './variants.repository.js';

/**
 * Variant commands: part of the product aggregate, so each claims the product's version
 * (If-Match) and answers with the whole product.
 */

async function productOptions(tx: Tx, productId: string): Promise<OptionDef[]> {
  return tx
    .selectFrom('product_option')
    .select(['name', 'values'])
    .where('product_id', '=', productId)
    .orderBy('position')
    .execute();
}

async function findVariant(tx: Tx, productId: string, variantId: string) {
  const row = await tx
    .selectFrom('variant')
    .select(['id', 'sku', 'option_values'])
    .where('id', '=', variantId)
    .where('product_id', '=', productId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Variant', variantId);
  return row;
}

export async function addVariant(
  deps: CatalogDeps,
  ctx: AuditContext,
  productId: string,
  expected: number,
  input: VariantInputT,
): Promise<ProductViewT> {
  try {
    return await withTransaction(deps.db, async (tx) => {
      const product = await claimProductVersion(tx, productId, expected);
      const options = await productOptions(tx, productId);
      const existing = await tx
        .selectFrom('variant')
        .select(['sku', 'barcode', 'option_values', 'position'])
        .where('product_id', '=', productId)
        .orderBy('position')
        .execute();
      // Validate as the full set, so duplicates against siblings are caught too; errors name the new one.
      const all = [
        ...existing.map((v) => ({ sku: v.sku, barcode: v.barcode, options: v.option_values })),
        input,
      ] as VariantInputT[];
      try {
        checkVariants(options, all, '/body/variants');
      } catch (err) {
        if (err instanceof ValidationError) {
          const at = `/body/variants/${existing.length}`;
          const mine = (err.errors ?? []).filter((e) => e.path === '/body/variants' || e.path.startsWith(at));
          throw new ValidationError(
            (mine.length > 0 ? mine : (err.errors ?? [])).map((e) => ({ ...e, path: e.path.replace(at, '/body') })),
          );
        }
        throw err;
      }
      const conflict = await skuConflicts(tx, [input], null, '/body');
      if (conflict) throw conflict;
      const position = (existing.at(-1)?.position ?? -1) + 1;
      const created = await insertVariants(tx, { id: productId, title: product.title, options }, [input], position);
      await deps.onVariantsCreated?.(tx, created);
      return finishProductChange(tx, ctx, productId, 'updated', { variantAdded: input.sku, version: product.version });
    });
  } catch (err) {
    throw productWriteError(err);
  }
}

export async function updateVariant(
  deps: CatalogDeps,
  ctx: AuditContext,
  ids: { productId: string; variantId: string },
  expected: number,
  input: UpdateVariantInput,
): Promise<ProductViewT> {
  const errors = priceErrors(input.prices, '/body/prices');
  if (errors.length > 0) throw new ValidationError(errors);
  try {
    return await withTransaction(deps.db, async (tx) => {
      const product = await claimProductVersion(tx, ids.productId, expected);
      const variant = await findVariant(tx, ids.productId, ids.variantId);
      if (input.options) {
        const optionProblems = optionErrors(await productOptions(tx, ids.productId), input.options, '/body/options');
        if (optionProblems.length > 0) throw new ValidationError(optionProblems);
      }
      if (input.sku !== undefined || input.barcode) {
        const conflict = await skuConflicts(
          tx,
          [{ sku: input.sku ?? variant.sku, barcode: input.barcode ?? null }],
          ids.variantId,
          '/body',
        );
        if (conflict) throw conflict;
      }
      const set: Record<string, unknown> = {};
      if (input.title !== undefined) set.title = input.title.trim();
      if (input.sku !== undefined) set.sku = input.sku;
      if (input.barcode !== undefined) set.barcode = input.barcode;
      if (input.weightGrams !== undefined) set.weight_grams = input.weightGrams;
      if (input.options !== undefined) set.option_values = jsonb(input.options);
      if (Object.keys(set).length > 0) {
        await tx
          .updateTable('variant')
          .set({ ...set, updated_at: sql`now()` })
          .where('id', '=', ids.variantId)
          .execute();
      }
      if (input.prices) await replacePrices(tx, ids.variantId, input.prices);
      return finishProductChange(tx, ctx, ids.productId, 'updated', {
        variant: ids.variantId,
        fields: Object.keys(input),
        ...(input.prices ? { prices: input.prices } : {}),
        version: product.version,
      });
    });
  } catch (err) {
    throw productWriteError(err);
  }
}

export async function deleteVariant(
  deps: CatalogDeps,
  ctx: AuditContext,
  ids: { productId: string; variantId: string },
  expected: number,
): Promise<ProductViewT> {
  try {
    return await withTransaction(deps.db, async (tx) => {
      const product = await claimProductVersion(tx, ids.productId, expected);
      const variant = await findVariant(tx, ids.productId, ids.variantId);
      await tx.deleteFrom('variant').where('id', '=', ids.variantId).execute();
      return finishProductChange(tx, ctx, ids.productId, 'updated', {
        variantDeleted: variant.sku,
        version: product.version,
      });
    });
  } catch (err) {
    throw productWriteError(err);
  }
}
