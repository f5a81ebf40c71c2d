import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Queryable, Tx } from '../../platform/db/database.js';
import { ForeignKeyViolationError, UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { CatalogDeps } from './catalog.deps.js';
import { HandleTakenError } from './catalog.errors.js';
import { slugify } from './products.validate.js';
import { rebuildProductDocuments } from './read-model.js';

/** Collections: hand-picked, ordered product lists ("Summer sale", "Staff picks"). */

export interface CollectionView {
  id: string;
  title: string;
  handle: string;
  description: string;
  productIds: string[];
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: string;
  title: string;
  handle: string;
  description: string;
  product_ids: string[];
  created_at: Date;
  updated_at: Date;
}

const view = (r: Row): CollectionView => ({
  id: r.id,
  title: r.title,
  handle: r.handle,
  description: r.description,
  productIds: r.product_ids,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** Collections with their products in order; one statement. */
export async function listCollections(db: Queryable, onlyId?: string): Promise<CollectionView[]> {
  const res = await sql<Row>`
    select c.id, c.title, c.handle, c.description, c.created_at, c.updated_at,
           coalesce((select array_agg(cp.product_id order by cp.position, cp.product_id)
                       from collection_product cp where cp.collection_id = c.id), '{}') as product_ids
      from collection c
     where (${onlyId ?? null}::text is null or c.id = ${onlyId ?? null})
     order by c.title, c.id`.execute(db);
  return res.rows.map(view);
}

export async function getCollection(db: Queryable, id: string): Promise<CollectionView> {
  const [found] = await listCollections(db, id);
  if (!found) throw new NotFoundError('Collection', id);
  return found;
}

function collectionWriteError(err: unknown): unknown {
  if (err instanceof UniqueViolationError && err.constraint === 'collection_handle_key')
    return new HandleTakenError('collection');
  if (err instanceof ForeignKeyViolationError) {
    return new AppError(404, 'NOT_FOUND', 'Not found', {
      detail: 'Some products do not exist; nothing was changed.',
      errors: [{ path: '/body/productIds', message: 'names an unknown product' }],
    });
  }
  return err;
}

export interface CollectionInput {
  title: string;
  handle?: string | undefined;
  description?: string | undefined;
  productIds?: string[] | undefined;
}

async function setProducts(tx: Tx, id: string, productIds: readonly string[]) {
  const before = await tx
    .selectFrom('collection_product')
    .select('product_id')
    .where('collection_id', '=', id)
    .execute();
  await tx.deleteFrom('collection_product').where('collection_id', '=', id).execute();
  if (productIds.length > 0) {
    await tx
      .insertInto('collection_product')
      .values(productIds.map((product_id, position) => ({ collection_id: id, product_id, position })))
      .execute();
  }
  await rebuildProductDocuments(tx, [...new Set([...before.map((r) => r.product_id), ...productIds])]);
}

export async function createCollection(
  deps: CatalogDeps,
  ctx: AuditContext,
  input: CollectionInput,
): Promise<CollectionView> {
  const id = newId('collection');
  try {
    return await withTransaction(deps.db, async (tx) => {
      await tx
        .insertInto('collection')
        .values({
          id,
          title: input.title.trim(),
          handle: input.handle ?? slugify(input.title),
          description: input.description ?? '',
        })
        .execute();
      if (input.productIds) await setProducts(tx, id, input.productIds);
      await recordAudit(tx, ctx, {
        action: 'collection.created',
        targetType: 'collection',
        targetId: id,
        changes: { title: input.title, productIds: input.productIds ?? [] },
      });
      return getCollection(tx, id);
    });
  } catch (err) {
    throw collectionWriteError(err);
  }
}

/** Updates fields; `productIds` (when given) replaces the whole ordered list. */
export async function updateCollection(
  deps: CatalogDeps,
  ctx: AuditContext,
  id: string,
  patch: Partial<CollectionInput>,
): Promise<CollectionView> {
  try {
    return await withTransaction(deps.db, async (tx) => {
      const row = await tx.selectFrom('collection').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw new NotFoundError('Collection', id);
      const set: Record<string, unknown> = {};
      if (patch.title !== undefined) set.title = patch.title.trim();
      if (patch.handle !== undefined) set.handle = patch.handle;
      if (patch.description !== undefined) set.description = patch.description;
      await tx
        .updateTable('collection')
        .set({ ...set, updated_at: sql`now()` })
        .where('id', '=', id)
        .execute();
      if (patch.productIds) await setProducts(tx, id, patch.productIds);
      await recordAudit(tx, ctx, {
        action: 'collection.updated',
        targetType: 'collection',
        targetId: id,
        changes: patch as Record<string, unknown>,
      });
      return getCollection(tx, id);
    });
  } catch (err) {
    throw collectionWriteError(err);
  }
}

export async function deleteCollection(deps: CatalogDeps, ctx: AuditContext, id: string): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    const row = await tx
      .selectFrom('collection')
      .select(['id', 'title'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new NotFoundError('Collection', id);
    const members = await tx
      .selectFrom('collection_product')
      .select('product_id')
      .where('collection_id', '=', id)
      .execute();
    await tx.deleteFrom('collection').where('id', '=', id).execute();
    await rebuildProductDocuments(
      tx,
      members.map((m) => m.product_id),
    );
    await recordAudit(tx, ctx, {
      action: 'collection.deleted',
      targetType: 'collection',
      targetId: id,
      changes: { title: row.title },
    });
  });
}
