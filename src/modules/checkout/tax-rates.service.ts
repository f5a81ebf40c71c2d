import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Db, Queryable, Tx } from '../../platform/db/database.js';
import { ForeignKeyViolationError, UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { TaxRateExistsError, UnknownReferenceError } from './checkout.errors.js';
import { assertCodes } from './checkout.schemas.js';
import type { TaxRule } from './tax-rules.js';
import type { TaxRate as Rate } from './totals.js';

/**
 * Tax rates: one standard rate per country and optionally one per (country, province), each with per-category
 * overrides (a reduced rate for books, food …). Rates are thousandths of a percent (19% = 19000).
 */

export interface TaxRateOverride {
  categoryId: string;
  rate: Rate;
}

export interface TaxRate {
  id: string;
  countryCode: string;
  provinceCode: string | null;
  name: string;
  rate: Rate;
  /** Sorted by category id. */
  overrides: TaxRateOverride[];
  createdAt: string;
  updatedAt: string;
}

export interface TaxRateInput {
  countryCode: string;
  provinceCode?: string | null | undefined;
  name: string;
  rate: Rate;
  overrides?: TaxRateOverride[] | undefined;
}

interface Row {
  id: string;
  country_code: string;
  province_code: string | null;
  name: string;
  rate: number;
  overrides: TaxRateOverride[];
  created_at: Date;
  updated_at: Date;
}

async function selectRates(db: Queryable, where: ReturnType<typeof sql>): Promise<TaxRate[]> {
  const res = await sql<Row>`
    select t.*, coalesce(
      (select json_agg(json_build_object('categoryId', o.category_id, 'rate', o.rate) order by o.category_id)
         from tax_rate_override o where o.tax_rate_id = t.id),
      '[]'::json) as overrides
      from tax_rate t where ${where}
     order by t.country_code, t.province_code nulls first`.execute(db);
  return res.rows.map((r) => ({
    id: r.id,
    countryCode: r.country_code,
    provinceCode: r.province_code,
    name: r.name,
    rate: r.rate,
    overrides: typeof r.overrides === 'string' ? (JSON.parse(r.overrides) as TaxRateOverride[]) : r.overrides,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}

/** Every rate, by country then province (country-wide first); `countryCode` narrows to one country. */
export async function listTaxRates(db: Queryable, filter: { countryCode?: string | undefined } = {}) {
  return selectRates(db, filter.countryCode ? sql`t.country_code = ${filter.countryCode}` : sql`true`);
}

/** @throws {NotFoundError} for an unknown id. */
export async function getTaxRate(db: Queryable, id: string): Promise<TaxRate> {
  const [rate] = await selectRates(db, sql`t.id = ${id}`);
  if (!rate) throw new NotFoundError('Tax rate', id);
  return rate;
}

/**
 * The rule for an address: the province's rate when it has one, else the country's; null when neither exists.
 * Feed it to `rateForProduct` with the product's category paths.
 */
export async function taxRuleFor(
  db: Queryable,
  address: { countryCode: string; provinceCode?: string | null | undefined },
): Promise<TaxRule | null> {
  const rates = await selectRates(
    db,
    sql`t.country_code = ${address.countryCode} and (t.province_code is null or t.province_code = ${address.provinceCode ?? null})`,
  );
  const rate = rates.find((r) => r.provinceCode !== null) ?? rates[0];
  return rate ? { name: rate.name, rate: rate.rate, overrides: rate.overrides } : null;
}

function validate(input: Partial<TaxRateInput>): void {
  if (input.countryCode !== undefined) assertCodes({ countries: { '/body/countryCode': input.countryCode } });
  const seen = new Set<string>();
  const errors = (input.overrides ?? []).flatMap((o, i) => {
    if (!seen.has(o.categoryId)) return seen.add(o.categoryId) && [];
    return [{ path: `/body/overrides/${i}/categoryId`, message: 'appears twice' }];
  });
  if (errors.length > 0) throw new ValidationError(errors);
}

function writeError(err: unknown): unknown {
  if (
    err instanceof UniqueViolationError &&
    (err.constraint === 'tax_rate_country_key' || err.constraint === 'tax_rate_province_key')
  ) {
    return new TaxRateExistsError();
  }
  if (err instanceof ForeignKeyViolationError) return new UnknownReferenceError('category', '/body/overrides');
  return err;
}

async function setOverrides(tx: Tx, id: string, overrides: TaxRateOverride[]): Promise<void> {
  await tx.deleteFrom('tax_rate_override').where('tax_rate_id', '=', id).execute();
  if (overrides.length === 0) return;
  await tx
    .insertInto('tax_rate_override')
    .values(overrides.map((o) => ({ tax_rate_id: id, category_id: o.categoryId, rate: o.rate })))
    .execute();
}

/**
 * Creates a rate. @throws {ValidationError} 400 (unknown country, repeated category), {@link TaxRateExistsError}
 * 409, {@link UnknownReferenceError} 404 for an unknown category.
 */
export async function createTaxRate(db: Db, ctx: AuditContext, input: TaxRateInput): Promise<TaxRate> {
  validate(input);
  const id = newId('taxRate');
  try {
    return await withTransaction(db, async (tx) => {
      await tx
        .insertInto('tax_rate')
        .values({
          id,
          country_code: input.countryCode,
          province_code: input.provinceCode ?? null,
          name: input.name.trim(),
          rate: input.rate,
        })
        .execute();
      await setOverrides(tx, id, input.overrides ?? []);
      const created = await getTaxRate(tx, id);
      const { createdAt: _c, updatedAt: _u, id: _i, ...changes } = created;
      await recordAudit(tx, ctx, { action: 'tax_rate.created', targetType: 'tax_rate', targetId: id, changes });
      return created;
    });
  } catch (err) {
    throw writeError(err);
  }
}

/** Changes a rate; `overrides` replaces the list. Same errors as {@link createTaxRate}, plus 404. */
export async function updateTaxRate(
  db: Db,
  ctx: AuditContext,
  id: string,
  patch: Partial<TaxRateInput>,
): Promise<TaxRate> {
  validate(patch);
  try {
    return await withTransaction(db, async (tx) => {
      const row = await tx.selectFrom('tax_rate').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw new NotFoundError('Tax rate', id);
      const before = await getTaxRate(tx, id);
      await tx
        .updateTable('tax_rate')
        .set({
          ...(patch.countryCode !== undefined ? { country_code: patch.countryCode } : {}),
          ...(patch.provinceCode !== undefined ? { province_code: patch.provinceCode } : {}),
          ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
          ...(patch.rate !== undefined ? { rate: patch.rate } : {}),
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .execute();
      if (patch.overrides !== undefined) await setOverrides(tx, id, patch.overrides);
      const after = await getTaxRate(tx, id);
      const changes: Record<string, unknown> = {};
      for (const key of ['countryCode', 'provinceCode', 'name', 'rate', 'overrides'] as const) {
        if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
          changes[key] = { from: before[key], to: after[key] };
      }
      await recordAudit(tx, ctx, { action: 'tax_rate.updated', targetType: 'tax_rate', targetId: id, changes });
      return after;
    });
  } catch (err) {
    throw writeError(err);
  }
}

/** Deletes a rate and its overrides. @throws {NotFoundError} 404. */
export async function deleteTaxRate(db: Db, ctx: AuditContext, id: string): Promise<void> {
  await withTransaction(db, async (tx) => {
    const row = await tx.selectFrom('tax_rate').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new NotFoundError('Tax rate', id);
    const { countryCode, provinceCode, name, rate } = await getTaxRate(tx, id);
    await tx.deleteFrom('tax_rate').where('id', '=', id).execute();
    await recordAudit(tx, ctx, {
      action: 'tax_rate.deleted',
      targetType: 'tax_rate',
      targetId: id,
      changes: { countryCode, provinceCode, name, rate },
    });
  });
}
