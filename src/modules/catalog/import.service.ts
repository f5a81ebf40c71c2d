import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Queryable, Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { appendEvents } from '../../platform/outbox/outbox.js';
import type { CatalogDeps } from './catalog.deps.js';
import { rebuildProductDocuments } from './read-model.js';

/**
 * Bulk upsert for imports: a batch of products (matched by handle, variants by SKU) written with a
 * fixed number of set-based statements whatever the batch size, in the caller's transaction. The
 * caller validated the rows; a SKU that belongs to another product still fails here (the variant
 * upsert only updates a SKU within its own product), so a race cannot move a variant.
 */

export interface BulkProduct {
  handle: string;
  title: string;
  description: string;
  status: 'draft' | 'active' | 'archived';
  tags: string[];
  /** Omitted (the CSV has no images): a new product gets none, an existing one keeps its own. */
  images?: { url: string; alt: string | null }[];
  categoryIds: string[];
  collectionIds: string[];
  /** null: keep an existing product's channels; a new one goes to the default channel. */
  channelIds: string[] | null;
  options: { name: string; values: string[] }[];
  variants: {
    sku: string;
    barcode: string | null;
    weightGrams: number | null;
    options: Record<string, string>;
    prices: { currency: string; amount: number; compareAtAmount: number | null }[];
  }[];
}

export interface BulkResult {
  created: number;
  updated: number;
  productIds: string[];
  /** Every variant of the batch (new and existing), for stock updates. */
  variants: { variantId: string; sku: string }[];
}

export async function upsertProductBatch(
  deps: CatalogDeps,
  tx: Tx,
  ctx: AuditContext,
  products: readonly BulkProduct[],
): Promise<BulkResult> {
  if (products.length === 0) return { created: 0, updated: 0, productIds: [], variants: [] };
  const rows = products.map((p) => ({ id: newId('product'), ...p }));
  const upserted = await sql<{ id: string; handle: string; inserted: boolean }>`
    insert into product (id, handle, title, description, status, tags, images)
    select x.id, x.handle, x.title, x.description, x.status, array(select jsonb_array_elements_text(x.tags)),
           coalesce(x.images, '[]'::jsonb)
      from jsonb_to_recordset(${jsonb(rows.map((r) => ({ id: r.id, handle: r.handle, title: r.title, description: r.description, status: r.status, tags: r.tags, images: r.images ?? null })))})
        as x(id text, handle text, title text, description text, status text, tags jsonb, images jsonb)
    on conflict (handle) do update set
      title = excluded.title, description = excluded.description, status = excluded.status, tags = excluded.tags,
      version = product.version + 1, updated_at = now()
    returning id, handle, (xmax = 0) as inserted`.execute(tx);
  const idOf = new Map(upserted.rows.map((r) => [r.handle, r.id]));
  const productIds = upserted.rows.map((r) => r.id);
  const pid = (handle: string) => idOf.get(handle) ?? '';
  await replaceImages(tx, products, upserted.rows);

  await tx.deleteFrom('product_option').where('product_id', 'in', productIds).execute();
  const options = products.flatMap((p) =>
    p.options.map((o, position) => ({
      id: newId('productOption'),
      product_id: pid(p.handle),
      name: o.name,
      position,
      values: o.values,
    })),
  );
  if (options.length > 0) {
    await sql`
      insert into product_option (id, product_id, name, position, "values")
      select x.id, x.product_id, x.name, x.position, array(select jsonb_array_elements_text(x.vals))
        from jsonb_to_recordset(${jsonb(options.map((o) => ({ ...o, vals: o.values })))})
          as x(id text, product_id text, name text, position int, vals jsonb)`.execute(tx);
  }

  const variants = products.flatMap((p) =>
    p.variants.map((v, position) => ({
      id: newId('variant'),
      product_id: pid(p.handle),
      title: p.options.length > 0 ? p.options.map((o) => v.options[o.name]).join(' / ') : p.title,
      sku: v.sku,
      barcode: v.barcode,
      weight_grams: v.weightGrams,
      option_values: v.options,
      position,
    })),
  );
  const written = await sql<{ id: string; sku: string; inserted: boolean }>`
    insert into variant (id, product_id, title, sku, barcode, weight_grams, option_values, position)
    select x.id, x.product_id, x.title, x.sku, x.barcode, x.weight_grams, x.option_values, x.position
      from jsonb_to_recordset(${jsonb(variants)})
        as x(id text, product_id text, title text, sku text, barcode text, weight_grams int, option_values jsonb, position int)
    on conflict (sku) do update set
      title = excluded.title, barcode = excluded.barcode, weight_grams = excluded.weight_grams,
      option_values = excluded.option_values, position = excluded.position, updated_at = now()
      where variant.product_id = excluded.product_id
    returning id, sku, (xmax = 0) as inserted`.execute(tx);
  if (written.rows.length !== variants.length) {
    const got = new Set(written.rows.map((r) => r.sku));
    const stolen = variants.filter((v) => !got.has(v.sku)).map((v) => v.sku);
    throw new AppError(409, 'SKU_TAKEN', 'Conflict', {
      detail: `SKU ${stolen.slice(0, 5).join(', ')} belongs to another product.`,
    });
  }
  const variantId = new Map(written.rows.map((r) => [r.sku, r.id]));

  const prices = products.flatMap((p) =>
    p.variants.flatMap((v) =>
      v.prices.map((pr) => ({
        variant_id: variantId.get(v.sku),
        currency_code: pr.currency,
        amount: pr.amount,
        compare_at_amount: pr.compareAtAmount,
      })),
    ),
  );
  if (prices.length > 0) {
    await sql`
      insert into variant_price (variant_id, currency_code, amount, compare_at_amount)
      select x.variant_id, x.currency_code, x.amount, x.compare_at_amount
        from jsonb_to_recordset(${jsonb(prices)}) as x(variant_id text, currency_code text, amount bigint, compare_at_amount bigint)
      on conflict (variant_id, currency_code) do update set amount = excluded.amount, compare_at_amount = excluded.compare_at_amount`.execute(
      tx,
    );
  }

  await tx.deleteFrom('product_category').where('product_id', 'in', productIds).execute();
  const cats = products.flatMap((p) => p.categoryIds.map((c) => ({ product_id: pid(p.handle), category_id: c })));
  if (cats.length > 0) await tx.insertInto('product_category').values(cats).execute();

  const members = products.flatMap((p) =>
    p.collectionIds.map((c, n) => ({ collection_id: c, product_id: pid(p.handle), n })),
  );
  if (members.length > 0) {
    await sql`
      insert into collection_product (collection_id, product_id, position)
      select x.collection_id, x.product_id,
             coalesce((select max(position) from collection_product cp where cp.collection_id = x.collection_id), -1)
               + row_number() over (partition by x.collection_id order by x.n)
        from jsonb_to_recordset(${jsonb(members)}) as x(collection_id text, product_id text, n int)
      on conflict do nothing`.execute(tx);
  }

  const explicit = products.filter((p) => p.channelIds !== null);
  if (explicit.length > 0) {
    await tx
      .deleteFrom('product_channel')
      .where(
        'product_id',
        'in',
        explicit.map((p) => pid(p.handle)),
      )
      .execute();
    const pub = explicit.flatMap((p) =>
      (p.channelIds ?? []).map((c) => ({ product_id: pid(p.handle), sales_channel_id: c })),
    );
    if (pub.length > 0) await tx.insertInto('product_channel').values(pub).execute();
  }
  const fresh = upserted.rows.filter(
    (r) => r.inserted && products.find((p) => p.handle === r.handle)?.channelIds === null,
  );
  if (fresh.length > 0) {
    await sql`
      insert into product_channel (product_id, sales_channel_id)
      select unnest(${fresh.map((r) => r.id)}::text[]), (select id from sales_channel where is_default)
      on conflict do nothing`.execute(tx);
  }

  const created = written.rows.filter((r) => r.inserted).map((r) => ({ variantId: r.id, sku: r.sku }));
  if (created.length > 0) await deps.onVariantsCreated?.(tx, created);
  await rebuildProductDocuments(tx, productIds);
  const createdCount = upserted.rows.filter((r) => r.inserted).length;
  await recordAudit(tx, ctx, {
    action: 'product.imported',
    targetType: 'product_batch',
    changes: {
      created: createdCount,
      updated: upserted.rows.length - createdCount,
      handles: products.map((p) => p.handle),
    },
  });
  await appendEvents(
    tx,
    upserted.rows.map((r) => ({
      type: r.inserted ? 'product.created' : 'product.updated',
      aggregateId: r.id,
      payload: { productId: r.id },
    })),
  );
  return {
    created: createdCount,
    updated: upserted.rows.length - createdCount,
    productIds,
    variants: written.rows.map((r) => ({ variantId: r.id, sku: r.sku })),
  };
}

/** Existing products of the batch that name their images get them (new ones got theirs on insert). */
async function replaceImages(
  tx: Tx,
  products: readonly BulkProduct[],
  upserted: readonly { id: string; handle: string; inserted: boolean }[],
): Promise<void> {
  const imagesOf = new Map(products.map((p) => [p.handle, p.images]));
  const replaced = upserted.flatMap((r) => {
    const images = imagesOf.get(r.handle);
    return !r.inserted && images ? [{ id: r.id, images }] : [];
  });
  if (replaced.length === 0) return;
  await sql`
    update product p set images = x.images
      from jsonb_to_recordset(${jsonb(replaced)}) as x(id text, images jsonb)
     where p.id = x.id`.execute(tx);
}

export interface ImportReferences {
  categories: Map<string, string>;
  collections: Map<string, string>;
  channels: Set<string>;
  /** SKU → handle of the product that has it today. */
  skuOwners: Map<string, string>;
  /** Barcode → SKU of the variant that has it today. */
  barcodeOwners: Map<string, string>;
}

/** Looks up what an import file names (by handle or id), so validation can report rows before writing. */
export async function resolveImportReferences(
  db: Queryable,
  wanted: { categoryHandles: string[]; collectionHandles: string[]; skus: string[]; barcodes: string[] },
): Promise<ImportReferences> {
  const none = [''];
  const [categories, collections, channels, owners, barcodes] = await Promise.all([
    db
      .selectFrom('category')
      .select(['id', 'handle'])
      .where('handle', 'in', wanted.categoryHandles.length ? wanted.categoryHandles : none)
      .execute(),
    db
      .selectFrom('collection')
      .select(['id', 'handle'])
      .where('handle', 'in', wanted.collectionHandles.length ? wanted.collectionHandles : none)
      .execute(),
    db.selectFrom('sales_channel').select('id').execute(),
    sql<{ sku: string; handle: string }>`
      select v.sku, p.handle from variant v join product p on p.id = v.product_id
       where v.sku = any(${wanted.skus.length ? wanted.skus : none}::text[])`.execute(db),
    db
      .selectFrom('variant')
      .select(['sku', 'barcode'])
      .where('barcode', 'in', wanted.barcodes.length ? wanted.barcodes : none)
      .execute(),
  ]);
  return {
    categories: new Map(categories.map((c) => [c.handle, c.id])),
    collections: new Map(collections.map((c) => [c.handle, c.id])),
    channels: new Set(channels.map((c) => c.id)),
    skuOwners: new Map(owners.rows.map((o) => [o.sku, o.handle])),
    barcodeOwners: new Map(barcodes.map((b) => [b.barcode ?? '', b.sku])),
  };
}
