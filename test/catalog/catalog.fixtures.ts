import type { Insertable } from 'kysely';
import { rebuildProductDocuments } from '../../src/modules/catalog/read-model.js';
import type { Database, Db, Tx } from '../../src/platform/db/database.js';
import { jsonb } from '../../src/platform/db/json.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { newId } from '../../src/platform/ids.js';

/**
 * Catalog rows written straight into the write-model tables (bulk, set-based), then
 * `rebuildProductDocuments` in the same transaction — what the admin services do, without
 * depending on them.
 */

type Row<T extends keyof Database> = Insertable<Database[T]>;

let seq = 0;
export const uniq = (label: string) => `${label}-${Date.now().toString(36)}-${(++seq).toString(36)}`;

export interface VariantSpec {
  title?: string;
  options?: Record<string, string>;
  /** Amounts in minor units by currency, e.g. { EUR: 1999 }. */
  prices?: Record<string, number>;
  compareAt?: Record<string, number>;
  /** undefined: no variant_stock row (untracked); else the row inventory would push. */
  stock?: { available: number | null; allowBackorder?: boolean; lowStockThreshold?: number };
}

export interface ProductSpec {
  title: string;
  handle?: string;
  status?: 'draft' | 'active' | 'archived';
  subtitle?: string;
  description?: string;
  tags?: string[];
  createdAt?: Date;
  /** Default: the default channel. */
  channels?: string[];
  categoryIds?: string[];
  options?: { name: string; values: string[] }[];
  variants?: VariantSpec[];
}

export interface CreatedProduct {
  id: string;
  handle: string;
  variantIds: string[];
}

const handleOf = (title: string) =>
  `${title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}-${(++seq).toString(36)}`;

/** Inserts the products with their variants, prices, stock, categories and channels; rebuilds their documents. */
export async function createProducts(db: Db, specs: ProductSpec[]): Promise<CreatedProduct[]> {
  const created: CreatedProduct[] = [];
  const products: Row<'product'>[] = [];
  const variants: Row<'variant'>[] = [];
  const prices: Row<'variant_price'>[] = [];
  const stock: Row<'variant_stock'>[] = [];
  const options: Row<'product_option'>[] = [];
  const categories: Row<'product_category'>[] = [];
  const channels: Row<'product_channel'>[] = [];
  for (const spec of specs) {
    const id = newId('product');
    const handle = spec.handle ?? handleOf(spec.title);
    products.push({
      id,
      handle,
      title: spec.title,
      subtitle: spec.subtitle ?? null,
      description: spec.description ?? '',
      status: spec.status ?? 'active',
      tags: spec.tags ?? [],
      attributes: jsonb([]),
      images: jsonb([]),
      seo_title: null,
      seo_description: null,
      ...(spec.createdAt ? { created_at: spec.createdAt } : {}),
    });
    (spec.options ?? []).forEach((o, position) => {
      options.push({ id: newId('productOption'), product_id: id, name: o.name, position, values: o.values });
    });
    const variantIds: string[] = [];
    (spec.variants ?? [{ prices: { EUR: 1000 } }]).forEach((v, position) => {
      const variantId = newId('variant');
      variantIds.push(variantId);
      variants.push({
        id: variantId,
        product_id: id,
        title: v.title ?? `${spec.title} ${position + 1}`,
        sku: uniq('SKU'),
        option_values: jsonb(v.options ?? { n: String(position) }),
        position,
      });
      for (const [currency, amount] of Object.entries(v.prices ?? {})) {
        prices.push({
          variant_id: variantId,
          currency_code: currency,
          amount,
          compare_at_amount: v.compareAt?.[currency] ?? null,
        });
      }
      if (v.stock) {
        stock.push({
          variant_id: variantId,
          available: v.stock.available,
          allow_backorder: v.stock.allowBackorder ?? false,
          low_stock_threshold: v.stock.lowStockThreshold ?? 0,
        });
      }
    });
    for (const categoryId of spec.categoryIds ?? []) categories.push({ product_id: id, category_id: categoryId });
    for (const channel of spec.channels ?? ['sc_default']) channels.push({ product_id: id, sales_channel_id: channel });
    created.push({ id, handle, variantIds });
  }
  await withTransaction(db, async (tx) => {
    // Chunks keep each statement under PostgreSQL's 65,535 bind parameters.
    const chunked = async <R>(rows: R[], run: (part: R[]) => Promise<unknown>) => {
      for (let i = 0; i < rows.length; i += 1000) await run(rows.slice(i, i + 1000));
    };
    await chunked(products, (part) => tx.insertInto('product').values(part).execute());
    await chunked(options, (part) => tx.insertInto('product_option').values(part).execute());
    await chunked(variants, (part) => tx.insertInto('variant').values(part).execute());
    await chunked(prices, (part) => tx.insertInto('variant_price').values(part).execute());
    await chunked(stock, (part) => tx.insertInto('variant_stock').values(part).execute());
    await chunked(categories, (part) => tx.insertInto('product_category').values(part).execute());
    await chunked(channels, (part) => tx.insertInto('product_channel').values(part).execute());
    await rebuildProductDocuments(
      tx,
      created.map((c) => c.id),
    );
  });
  return created;
}

/** A category (optionally under `parentId`); products are attached by `createProducts({ categoryIds })`. */
export async function createCategory(db: Db, name: string, parentId: string | null = null) {
  const id = newId('category');
  const handle = handleOf(name);
  await db.insertInto('category').values({ id, parent_id: parentId, name, handle }).execute();
  return { id, handle };
}

/** A collection holding `productIds` in this manual order; rebuilds their documents. */
export async function createCollection(db: Db, title: string, productIds: string[]) {
  const id = newId('collection');
  const handle = handleOf(title);
  await withTransaction(db, async (tx) => {
    await tx.insertInto('collection').values({ id, title, handle }).execute();
    if (productIds.length > 0) {
      await tx
        .insertInto('collection_product')
        .values(productIds.map((product_id, position) => ({ collection_id: id, product_id, position })))
        .execute();
    }
    await rebuildProductDocuments(tx, productIds);
  });
  return { id, handle };
}

/** Runs `fn` on the write model, then rebuilds `productIds`, in one transaction. */
export async function changeAndRebuild(db: Db, productIds: string[], fn: (tx: Tx) => Promise<unknown>) {
  await withTransaction(db, async (tx) => {
    await fn(tx);
    await rebuildProductDocuments(tx, productIds);
  });
}
