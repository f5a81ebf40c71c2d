import { type Selectable, sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Db, Queryable } from '../../platform/db/database.js';
import { ForeignKeyViolationError, UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { type FieldError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { isId, newId } from '../../platform/ids.js';
import { isCurrency } from '../../platform/money.js';
import { PromotionCodeTakenError, PromotionInUseError } from './promotions.errors.js';
import type { PromotionTable } from './promotions.tables.js';

/** Promotions, administered: create, list, read, change (deactivate = `active: false`), delete while unredeemed. */

export interface Promotion {
  id: string;
  name: string;
  code: string | null;
  kind: 'percentage' | 'fixed';
  value: number;
  currency: string | null;
  target: 'order' | 'products' | 'categories';
  targetIds: string[];
  minSubtotal: number | null;
  startsAt: string | null;
  endsAt: string | null;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  used: number;
  combinable: boolean;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

type Settable = Omit<Promotion, 'id' | 'used' | 'createdAt' | 'updatedAt'>;
export type PromotionInput = Pick<Settable, 'name' | 'kind' | 'value'> & {
  [K in Exclude<keyof Settable, 'name' | 'kind' | 'value'>]?: Settable[K] | undefined;
};
export type PromotionPatch = { [K in keyof Settable]?: Settable[K] | undefined };

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

const view = (r: Selectable<PromotionTable>): Promotion => ({
  id: r.id,
  name: r.name,
  code: r.code,
  kind: r.kind,
  value: Number(r.value),
  currency: r.currency_code,
  target: r.target,
  targetIds: r.target_ids,
  minSubtotal: r.min_subtotal === null ? null : Number(r.min_subtotal),
  startsAt: iso(r.starts_at),
  endsAt: iso(r.ends_at),
  usageLimit: r.usage_limit,
  perCustomerLimit: r.per_customer_limit,
  used: r.used,
  combinable: r.combinable,
  active: r.active,
  createdAt: iso(r.created_at) as string,
  updatedAt: iso(r.updated_at) as string,
});

const defaults: Omit<Settable, 'name' | 'kind' | 'value'> = {
  code: null,
  currency: null,
  target: 'order',
  targetIds: [],
  minSubtotal: null,
  startsAt: null,
  endsAt: null,
  usageLimit: null,
  perCustomerLimit: null,
  combinable: false,
  active: true,
};

/** The rules a JSON schema cannot state, each error naming its field. */
function validate(p: Settable, used: number): void {
  const errors: FieldError[] = [];
  const err = (path: string, message: string) => errors.push({ path: `/body/${path}`, message });
  if (p.kind === 'percentage' && p.value > 10_000) err('value', 'is at most 10000 basis points (100%)');
  if (p.currency !== null && !isCurrency(p.currency)) err('currency', 'is not a supported ISO 4217 currency code');
  if (p.kind === 'fixed' && p.currency === null) err('currency', 'is required for a fixed promotion');
  else if (p.minSubtotal !== null && p.currency === null) err('currency', 'is required with minSubtotal');
  if (p.target === 'order' && p.targetIds.length > 0) err('targetIds', 'must be empty for target order');
  if (p.target !== 'order' && p.targetIds.length === 0) err('targetIds', `needs at least one id for ${p.target}`);
  const kind = p.target === 'products' ? 'product' : 'category';
  p.targetIds.forEach((id, i) => {
    if (p.target !== 'order' && !isId(kind, id)) err(`targetIds/${i}`, `is not a ${kind} id`);
  });
  if (p.startsAt && p.endsAt && Date.parse(p.endsAt) <= Date.parse(p.startsAt)) err('endsAt', 'must be after startsAt');
  if (p.usageLimit !== null && p.usageLimit < used) err('usageLimit', `is below the ${used} uses so far`);
  if (errors.length > 0) throw new ValidationError(errors);
}

const columns = (p: Settable) => ({
  name: p.name.trim(),
  code: p.code,
  kind: p.kind,
  value: p.value,
  currency_code: p.currency,
  target: p.target,
  target_ids: p.targetIds,
  min_subtotal: p.minSubtotal,
  starts_at: p.startsAt === null ? null : new Date(p.startsAt),
  ends_at: p.endsAt === null ? null : new Date(p.endsAt),
  usage_limit: p.usageLimit,
  per_customer_limit: p.perCustomerLimit,
  combinable: p.combinable,
  active: p.active,
});

function writeError(err: unknown): unknown {
  if (err instanceof UniqueViolationError && err.constraint === 'promotion_code_key') {
    return new PromotionCodeTakenError();
  }
  return err;
}

/** @throws {NotFoundError} 404 for an unknown id. */
export async function getPromotion(db: Queryable, id: string): Promise<Promotion> {
  const row = await db.selectFrom('promotion').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('Promotion', id);
  return view(row);
}

export interface PromotionFilter {
  active?: boolean | undefined;
  /** Exact code, any case. */
  code?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Newest first, `limit` per page; `nextCursor` is the last id of a full page. */
export async function listPromotions(
  db: Queryable,
  f: PromotionFilter,
): Promise<{ data: Promotion[]; nextCursor: string | null }> {
  let q = db
    .selectFrom('promotion')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.active !== undefined) q = q.where('active', '=', f.active);
  if (f.code !== undefined) q = q.where(sql<string>`lower(code)`, '=', f.code.trim().toLowerCase());
  if (f.cursor !== undefined) q = q.where('id', '<', f.cursor);
  const rows = await q.execute();
  const data = rows.slice(0, f.limit).map(view);
  return { data, nextCursor: rows.length > f.limit ? (data.at(-1)?.id ?? null) : null };
}

/**
 * Creates a promotion.
 * @throws {ValidationError} 400 naming each bad field. @throws {PromotionCodeTakenError} 409 (codes ignore case).
 */
export async function createPromotion(db: Db, ctx: AuditContext, input: PromotionInput): Promise<Promotion> {
  const p: Settable = { ...defaults, ...definedOf(input) } as Settable;
  validate(p, 0);
  const id = newId('promotion');
  try {
    return await withTransaction(db, async (tx) => {
      await tx
        .insertInto('promotion')
        .values({ id, ...columns(p) })
        .execute();
      await recordAudit(tx, ctx, { action: 'promotion.created', targetType: 'promotion', targetId: id, changes: p });
      return getPromotion(tx, id);
    });
  } catch (err) {
    throw writeError(err);
  }
}

function definedOf<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Changes a promotion (null clears an optional field); locks its row. Same errors as {@link createPromotion}, plus
 * 404, and 400 for a usage limit below the uses so far.
 */
export async function updatePromotion(
  db: Db,
  ctx: AuditContext,
  id: string,
  patch: PromotionPatch,
): Promise<Promotion> {
  try {
    return await withTransaction(db, async (tx) => {
      const row = await tx.selectFrom('promotion').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw new NotFoundError('Promotion', id);
      const before = view(row);
      const { id: _, used, createdAt, updatedAt, ...current } = before;
      const next: Settable = { ...current, ...definedOf(patch) };
      validate(next, used);
      await tx
        .updateTable('promotion')
        .set({ ...columns(next), updated_at: sql`now()` })
        .where('id', '=', id)
        .execute();
      const after = await getPromotion(tx, id);
      const changes: Record<string, unknown> = {};
      for (const key of Object.keys(current) as (keyof Settable)[]) {
        if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
          changes[key] = { from: before[key], to: after[key] };
        }
      }
      await recordAudit(tx, ctx, { action: 'promotion.updated', targetType: 'promotion', targetId: id, changes });
      return after;
    });
  } catch (err) {
    throw writeError(err);
  }
}

/**
 * Deletes a promotion that has no redemption (one conditional statement; the foreign key from
 * `promotion_redemption` backs it up). @throws {NotFoundError} 404. @throws {PromotionInUseError} 409.
 */
export async function deletePromotion(db: Db, ctx: AuditContext, id: string): Promise<void> {
  try {
    await withTransaction(db, async (tx) => {
      const deleted = await tx
        .deleteFrom('promotion')
        .where('id', '=', id)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('promotion_redemption').select('order_id').where('promotion_id', '=', id))),
        )
        .returningAll()
        .executeTakeFirst();
      if (!deleted) {
        await getPromotion(tx, id);
        throw new PromotionInUseError();
      }
      const { name, code, kind, value } = view(deleted);
      await recordAudit(tx, ctx, {
        action: 'promotion.deleted',
        targetType: 'promotion',
        targetId: id,
        changes: { name, code, kind, value },
      });
    });
  } catch (err) {
    if (err instanceof ForeignKeyViolationError) throw new PromotionInUseError();
    throw err;
  }
}
