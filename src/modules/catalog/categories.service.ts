import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Queryable, Tx } from '../../platform/db/database.js';
import { ForeignKeyViolationError, UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { CatalogDeps } from './catalog.deps.js';
import { CategoryCycleError, CategoryHasChildrenError, HandleTakenError } from './catalog.errors.js';
import { slugify } from './products.validate.js';
import { rebuildProductDocuments } from './read-model.js';

/**
 * The category tree. Moves are serialised by one transaction-scoped advisory lock, so two
 * concurrent moves cannot build a cycle between them; a move or rename rebuilds the storefront
 * documents of every product in the moved subtree (documents carry ancestor ids for filtering).
 */

export interface CategoryView {
  id: string;
  parentId: string | null;
  name: string;
  handle: string;
  description: string;
  position: number;
  /** Ancestor ids, root first. */
  path: string[];
  productCount: number;
}

const TREE_LOCK = sql`select pg_advisory_xact_lock(hashtext('backroom.catalog.category_tree'))`;

/** Every category with its path, in tree order (parents before children), one statement. */
export async function listCategories(db: Queryable): Promise<CategoryView[]> {
  const res = await sql<CategoryView & { product_count: number; parent_id: string | null }>`
    with recursive tree as (
      select c.id, c.parent_id, array[]::text[] as path, array[c.position::text || ':' || c.id] as sort_key
        from category c where c.parent_id is null
      union all
      select c.id, c.parent_id, t.path || t.id, t.sort_key || (c.position::text || ':' || c.id)
        from category c join tree t on c.parent_id = t.id
    )
    select c.id, c.parent_id, c.name, c.handle, c.description, c.position, t.path,
           (select count(*)::int from product_category pc where pc.category_id = c.id) as product_count
      from tree t join category c on c.id = t.id
     order by t.sort_key`.execute(db);
  return res.rows.map((r) => ({
    id: r.id,
    parentId: r.parent_id,
    name: r.name,
    handle: r.handle,
    description: r.description,
    position: r.position,
    path: r.path,
    productCount: r.product_count,
  }));
}

async function getCategory(db: Queryable, id: string): Promise<CategoryView> {
  const found = (await listCategories(db)).find((c) => c.id === id);
  if (!found) throw new NotFoundError('Category', id);
  return found;
}

/** Products in the category or any of its descendants (documents of these need a rebuild). */
async function productsInSubtree(tx: Tx, categoryId: string): Promise<string[]> {
  const res = await sql<{ product_id: string }>`
    with recursive sub as (
      select id from category where id = ${categoryId}
      union all
      select c.id from category c join sub on c.parent_id = sub.id
    )
    select distinct pc.product_id from product_category pc join sub on sub.id = pc.category_id`.execute(tx);
  return res.rows.map((r) => r.product_id);
}

function categoryWriteError(err: unknown): unknown {
  if (err instanceof UniqueViolationError && err.constraint === 'category_handle_key')
    return new HandleTakenError('category');
  if (err instanceof ForeignKeyViolationError) {
    return new AppError(404, 'NOT_FOUND', 'Not found', {
      detail: 'The parent category does not exist.',
      errors: [{ path: '/body/parentId', message: 'names an unknown category' }],
    });
  }
  return err;
}

export interface CategoryInput {
  name: string;
  handle?: string | undefined;
  parentId?: string | null | undefined;
  description?: string | undefined;
  position?: number | undefined;
}

export async function createCategory(
  deps: CatalogDeps,
  ctx: AuditContext,
  input: CategoryInput,
): Promise<CategoryView> {
  const id = newId('category');
  try {
    return await withTransaction(deps.db, async (tx) => {
      await tx
        .insertInto('category')
        .values({
          id,
          parent_id: input.parentId ?? null,
          name: input.name.trim(),
          handle: input.handle ?? slugify(input.name),
          description: input.description ?? '',
          position: input.position ?? 0,
        })
        .execute();
      await recordAudit(tx, ctx, {
        action: 'category.created',
        targetType: 'category',
        targetId: id,
        changes: { name: input.name, parentId: input.parentId ?? null },
      });
      return getCategory(tx, id);
    });
  } catch (err) {
    throw categoryWriteError(err);
  }
}

export async function updateCategory(
  deps: CatalogDeps,
  ctx: AuditContext,
  id: string,
  patch: Partial<CategoryInput>,
): Promise<CategoryView> {
  try {
    return await withTransaction(deps.db, async (tx) => {
      await TREE_LOCK.execute(tx);
      const row = await tx.selectFrom('category').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError('Category', id);
      if (patch.parentId) {
        // The new parent must not be this category or one of its descendants.
        const cycle = await sql<{ id: string }>`
          with recursive up as (
            select id, parent_id from category where id = ${patch.parentId}
            union all
            select c.id, c.parent_id from category c join up on c.id = up.parent_id
          )
          select id from up where id = ${id}`.execute(tx);
        if (cycle.rows.length > 0) throw new CategoryCycleError();
      }
      const set: Record<string, unknown> = {};
      if (patch.name !== undefined) set.name = patch.name.trim();
      if (patch.handle !== undefined) set.handle = patch.handle;
      if (patch.parentId !== undefined) set.parent_id = patch.parentId;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.position !== undefined) set.position = patch.position;
      await tx
        .updateTable('category')
        .set({ ...set, updated_at: sql`now()` })
        .where('id', '=', id)
        .execute();
      await rebuildProductDocuments(tx, await productsInSubtree(tx, id));
      await recordAudit(tx, ctx, {
        action: 'category.updated',
        targetType: 'category',
        targetId: id,
        changes: patch as Record<string, unknown>,
      });
      return getCategory(tx, id);
    });
  } catch (err) {
    throw categoryWriteError(err);
  }
}

/** Deletes a leaf category; its products lose the membership (and get fresh documents). */
export async function deleteCategory(deps: CatalogDeps, ctx: AuditContext, id: string): Promise<void> {
  await withTransaction(deps.db, async (tx) => {
    await TREE_LOCK.execute(tx);
    const row = await tx.selectFrom('category').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('Category', id);
    const child = await tx.selectFrom('category').select('id').where('parent_id', '=', id).executeTakeFirst();
    if (child) throw new CategoryHasChildrenError();
    const products = await productsInSubtree(tx, id);
    await tx.deleteFrom('category').where('id', '=', id).execute();
    await rebuildProductDocuments(tx, products);
    await recordAudit(tx, ctx, {
      action: 'category.deleted',
      targetType: 'category',
      targetId: id,
      changes: { name: row.name },
    });
  });
}
