import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { ForeignKeyViolationError, UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import { VersionMismatchError } from '../../platform/http/if-match.js';
import { newId } from '../../platform/ids.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import type { CatalogDeps } from './catalog.deps.js';
import { HandleTakenError, ProductHasOrdersError, SkuTakenError } from './catalog.errors.js';
import { findProductView } from './products.repository.js';
import type { CreateProductInput, ProductViewT, UpdateProductInput } from './products.schemas.js';
import { checkOptions, checkVariants, type OptionDef, optionErrors, slugify } from './products.validate.js';
import { rebuildProductDocuments } from './read-model.js';
import { insertVariants, skuConflicts } from './variants.repository.js';

/**
 * Product commands. Each runs in one transaction that also rebuilds the product's storefront
 * documents, writes the audit row and appends a `product.*` event: a change, its record and its
 * read model commit together. Updates compare-and-set the product's `version` (If-Match).
 */

/** Maps constraint failures of product writes to errors that name the field. */
export function productWriteError(err: unknown): unknown {
  if (err instanceof UniqueViolationError) {
    if (err.constraint === 'product_handle_key') return new HandleTakenError();
    if (err.constraint === 'variant_sku_key') return new SkuTakenError('/body/variants');
    if (err.constraint === 'variant_barcode_key') return new SkuTakenError('/body/variants', 'barcode');
  }
  if (err instanceof ForeignKeyViolationError) {
    const path = err.constraint?.startsWith('product_category')
      ? '/body/categoryIds'
      : err.constraint?.startsWith('product_channel')
        ? '/body/salesChannelIds'
        : undefined;
    if (path) {
      return new AppError(404, 'NOT_FOUND', 'Not found', {
        detail: 'A referenced category or sales channel does not exist.',
        errors: [{ path, message: 'names an unknown id' }],
      });
    }
  }
  return err;
}

async function setMemberships(
  tx: Tx,
  productId: string,
  input: Pick<UpdateProductInput, 'categoryIds' | 'salesChannelIds'>,
) {
  if (input.categoryIds) {
    await tx.deleteFrom('product_category').where('product_id', '=', productId).execute();
    if (input.categoryIds.length > 0) {
      await tx
        .insertInto('product_category')
        .values(input.categoryIds.map((category_id) => ({ product_id: productId, category_id })))
        .execute();
    }
  }
  if (input.salesChannelIds) {
    await tx.deleteFrom('product_channel').where('product_id', '=', productId).execute();
    if (input.salesChannelIds.length > 0) {
      await tx
        .insertInto('product_channel')
        .values(input.salesChannelIds.map((sales_channel_id) => ({ product_id: productId, sales_channel_id })))
        .execute();
    }
  }
}

async function replaceOptions(tx: Tx, productId: string, options: readonly OptionDef[]) {
  await tx.deleteFrom('product_option').where('product_id', '=', productId).execute();
  if (options.length === 0) return;
  await tx
    .insertInto('product_option')
    .values(
      options.map((o, position) => ({
        id: newId('productOption'),
        product_id: productId,
        name: o.name.trim(),
        position,
        values: [...o.values],
      })),
    )
    .execute();
}

/** Rebuilds the read model, writes the audit row and the event, and returns the fresh admin view. */
export async function finishProductChange(
  tx: Tx,
  ctx: AuditContext,
  productId: string,
  action: 'created' | 'updated',
  changes: Record<string, unknown>,
): Promise<ProductViewT> {
  await rebuildProductDocuments(tx, [productId]);
  await recordAudit(tx, ctx, { action: `product.${action}`, targetType: 'product', targetId: productId, changes });
  await appendEvent(tx, { type: `product.${action}`, aggregateId: productId, payload: { productId } });
  const view = await findProductView(tx, productId);
  if (!view) throw new NotFoundError('Product', productId);
  return view;
}

export async function createProduct(
  deps: CatalogDeps,
  ctx: AuditContext,
  input: CreateProductInput,
): Promise<ProductViewT> {
  const options = input.options ?? [];
  const variants = input.variants ?? [];
  checkOptions(options);
  checkVariants(options, variants);
  const id = newId('product');
  try {
    return await withTransaction(deps.db, async (tx) => {
      const conflicts = await skuConflicts(tx, variants, null);
      if (conflicts) throw conflicts;
      await tx
        .insertInto('product')
        .values({
          id,
          handle: input.handle ?? `${slugify(input.title)}-${id.slice(-6)}`,
          title: input.title.trim(),
          subtitle: input.subtitle ?? null,
          description: input.description ?? '',
          status: input.status ?? 'draft',
          tags: input.tags ?? [],
          attributes: jsonb(input.attributes ?? []),
          images: jsonb((input.images ?? []).map((i) => ({ url: i.url, alt: i.alt ?? null }))),
          seo_title: input.seoTitle ?? null,
          seo_description: input.seoDescription ?? null,
        })
        .execute();
      await replaceOptions(tx, id, options);
      const created = await insertVariants(tx, { id, title: input.title, options }, variants, 0);
      await setMemberships(tx, id, input);
      if (created.length > 0) await deps.onVariantsCreated?.(tx, created);
      return finishProductChange(tx, ctx, id, 'created', {
        title: input.title,
        status: input.status ?? 'draft',
        variants: created.map((v) => v.sku),
      });
    });
  } catch (err) {
    throw productWriteError(err);
  }
}

/**
 * Bumps the version if it is still `expected` and returns the locked product row; otherwise 412
 * (or 404). Every write to a product's aggregate (variants and prices included) starts here.
 */
export async function claimProductVersion(tx: Tx, productId: string, expected: number) {
  const row = await tx
    .updateTable('product')
    .set({ version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', productId)
    .where('version', '=', expected)
    .returning(['id', 'title', 'status', 'handle', 'version'])
    .executeTakeFirst();
  if (row) return row;
  const current = await tx.selectFrom('product').select('version').where('id', '=', productId).executeTakeFirst();
  if (!current) throw new NotFoundError('Product', productId);
  throw new VersionMismatchError(current.version);
}

export async function updateProduct(
  deps: CatalogDeps,
  ctx: AuditContext,
  productId: string,
  expected: number,
  input: UpdateProductInput,
): Promise<ProductViewT> {
  if (input.options) checkOptions(input.options);
  try {
    return await withTransaction(deps.db, async (tx) => {
      const before = await claimProductVersion(tx, productId, expected);
      if (input.options) {
        // New options must still describe every existing variant.
        const variants = await tx
          .selectFrom('variant')
          .select(['option_values'])
          .where('product_id', '=', productId)
          .execute();
        const errors = variants.flatMap((v, i) =>
          optionErrors(input.options ?? [], v.option_values, `/body/options (variant ${i})`),
        );
        if (errors.length > 0) {
          throw new AppError(409, 'OPTIONS_IN_USE', 'Conflict', {
            detail: 'Existing variants use option values these options no longer allow; change the variants first.',
            errors,
          });
        }
        await replaceOptions(tx, productId, input.options);
      }
      const set: Record<string, unknown> = {};
      if (input.title !== undefined) set.title = input.title.trim();
      if (input.handle !== undefined) set.handle = input.handle;
      if (input.subtitle !== undefined) set.subtitle = input.subtitle;
      if (input.description !== undefined) set.description = input.description;
      if (input.status !== undefined) set.status = input.status;
      if (input.tags !== undefined) set.tags = input.tags;
      if (input.attributes !== undefined) set.attributes = jsonb(input.attributes);
      if (input.images !== undefined) set.images = jsonb(input.images.map((i) => ({ url: i.url, alt: i.alt ?? null })));
      if (input.seoTitle !== undefined) set.seo_title = input.seoTitle;
      if (input.seoDescription !== undefined) set.seo_description = input.seoDescription;
      if (Object.keys(set).length > 0) await tx.updateTable('product').set(set).where('id', '=', productId).execute();
      await setMemberships(tx, productId, input);
      const changed = Object.keys(input);
      return finishProductChange(tx, ctx, productId, 'updated', {
        fields: changed,
        ...(input.status !== undefined && input.status !== before.status
          ? { status: { from: before.status, to: input.status } }
          : {}),
        version: before.version,
      });
    });
  } catch (err) {
    throw productWriteError(err);
  }
}

/** Deletes a product that was never ordered (order lines reference variants; their foreign keys refuse). */
export async function deleteProduct(
  deps: CatalogDeps,
  ctx: AuditContext,
  productId: string,
  expected: number,
): Promise<void> {
  try {
    await withTransaction(deps.db, async (tx) => {
      const row = await claimProductVersion(tx, productId, expected);
      await tx.deleteFrom('product').where('id', '=', productId).execute();
      await rebuildProductDocuments(tx, [productId]);
      await recordAudit(tx, ctx, {
        action: 'product.deleted',
        targetType: 'product',
        targetId: productId,
        changes: { handle: row.handle, title: row.title },
      });
      await appendEvent(tx, { type: 'product.deleted', aggregateId: productId, payload: { productId } });
    });
  } catch (err) {
    if (err instanceof ForeignKeyViolationError) throw new ProductHasOrdersError();
    throw err;
  }
}
