import { sql } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { newId } from '../../platform/ids.js';
import { SkuTakenError } from './catalog.errors.js';
import './catalog.tables.js';
import type { VariantInputT } from './products.schemas.js';
import { type OptionDef, variantTitle } from './products.validate.js';

/** Inserts variants and their prices (set-based: two statements for any number). */
export async function insertVariants(
  tx: Tx,
  product: { id: string; title: string; options: readonly OptionDef[] },
  variants: readonly VariantInputT[],
  firstPosition: number,
): Promise<{ variantId: string; sku: string }[]> {
  if (variants.length === 0) return [];
  const rows = variants.map((v, i) => ({
    id: newId('variant'),
    product_id: product.id,
    title: v.title?.trim() ?? variantTitle(product.title, product.options, v.options ?? {}),
    sku: v.sku,
    barcode: v.barcode ?? null,
    weight_grams: v.weightGrams ?? null,
    option_values: jsonb(v.options ?? {}),
    position: firstPosition + i,
  }));
  await tx.insertInto('variant').values(rows).execute();
  const prices = variants.flatMap((v, i) =>
    (v.prices ?? []).map((p) => ({
      variant_id: rows[i]?.id ?? '',
      currency_code: p.currency,
      amount: p.amount,
      compare_at_amount: p.compareAtAmount ?? null,
    })),
  );
  if (prices.length > 0) await tx.insertInto('variant_price').values(prices).execute();
  return rows.map((r) => ({ variantId: r.id, sku: r.sku }));
}

/**
 * Finds SKUs or barcodes of `variants` already used by another variant, so the error names the
 * exact field; the unique constraints still catch a race.
 */
export async function skuConflicts(
  db: Queryable,
  variants: readonly Pick<VariantInputT, 'sku' | 'barcode'>[],
  exceptVariantId: string | null,
  path = '/body/variants',
): Promise<SkuTakenError | undefined> {
  if (variants.length === 0) return undefined;
  const skus = variants.map((v) => v.sku);
  const barcodes = variants.map((v) => v.barcode).filter((b): b is string => !!b);
  const res = await sql<{ sku: string; barcode: string | null }>`
    select sku, barcode from variant
     where (sku = any(${skus}) or barcode = any(${barcodes.length > 0 ? barcodes : ['']}))
       and (${exceptVariantId}::text is null or id <> ${exceptVariantId})
     limit 1`.execute(db);
  const hit = res.rows[0];
  if (!hit) return undefined;
  const skuAt = skus.indexOf(hit.sku);
  if (skuAt >= 0) return new SkuTakenError(path.endsWith('variants') ? `${path}/${skuAt}/sku` : `${path}/sku`);
  const barcodeAt = variants.findIndex((v) => v.barcode === hit.barcode);
  return new SkuTakenError(path.endsWith('variants') ? `${path}/${barcodeAt}/barcode` : `${path}/barcode`, 'barcode');
}

/** Replaces a variant's prices (the given list becomes the whole price list). */
export async function replacePrices(
  tx: Tx,
  variantId: string,
  prices: NonNullable<VariantInputT['prices']>,
): Promise<void> {
  await tx.deleteFrom('variant_price').where('variant_id', '=', variantId).execute();
  if (prices.length === 0) return;
  await tx
    .insertInto('variant_price')
    .values(
      prices.map((p) => ({
        variant_id: variantId,
        currency_code: p.currency,
        amount: p.amount,
        compare_at_amount: p.compareAtAmount ?? null,
      })),
    )
    .execute();
}
