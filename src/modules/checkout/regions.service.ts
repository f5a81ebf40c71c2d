import { sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Db, Queryable, Tx } from '../../platform/db/database.js';
import { UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { CountryInOtherRegionError, RegionCurrencyInUseError, RegionNameTakenError } from './checkout.errors.js';
import { assertCodes } from './checkout.schemas.js';

/**
 * Regions: where a shop sells in one currency. Each has a set of countries — a country is in at most one region,
 * which the `region_country` primary key enforces — and says whether its prices include tax.
 */

export interface Region {
  id: string;
  name: string;
  currency: string;
  taxInclusive: boolean;
  /** ISO 3166-1 alpha-2 codes, sorted. */
  countries: string[];
  /** Payment providers offered here; null: every configured provider. */
  paymentProviders: string[] | null;
  /** `manual`: authorize at checkout, staff capture; `automatic`: the gateway takes the money at checkout. */
  captureMethod: 'automatic' | 'manual';
  createdAt: string;
  updatedAt: string;
}

export interface RegionInput {
  name: string;
  currency: string;
  countries?: string[] | undefined;
  taxInclusive?: boolean | undefined;
}

interface RegionRow {
  id: string;
  name: string;
  currency_code: string;
  tax_inclusive: boolean;
  countries: string[];
  payment_providers: string[] | null;
  capture_method: 'automatic' | 'manual';
  created_at: Date;
  updated_at: Date;
}

const view = (r: RegionRow): Region => ({
  id: r.id,
  name: r.name,
  currency: r.currency_code,
  taxInclusive: r.tax_inclusive,
  countries: r.countries,
  paymentProviders: r.payment_providers,
  captureMethod: r.capture_method,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

async function selectRegions(db: Queryable, where: ReturnType<typeof sql>): Promise<Region[]> {
  const res = await sql<RegionRow>`
    select r.*, coalesce(
      (select array_agg(c.country_code order by c.country_code) from region_country c where c.region_id = r.id),
      '{}'::text[]) as countries
      from region r where ${where} order by r.name, r.id`.execute(db);
  return res.rows.map(view);
}

export async function listRegions(db: Queryable): Promise<Region[]> {
  return selectRegions(db, sql`true`);
}

/** @throws {NotFoundError} for an unknown id. */
export async function getRegion(db: Queryable, id: string): Promise<Region> {
  const [region] = await selectRegions(db, sql`r.id = ${id}`);
  if (!region) throw new NotFoundError('Region', id);
  return region;
}

/** The shop's default region: its first (the oldest), or null while it has none. */
export async function defaultRegion(db: Queryable): Promise<Region | null> {
  const [region] = await selectRegions(db, sql`r.id = (select id from region order by created_at, id limit 1)`);
  return region ?? null;
}

/** The region a country belongs to, or null when no region sells there. */
export async function regionForCountry(db: Queryable, countryCode: string): Promise<Region | null> {
  const [region] = await selectRegions(
    db,
    sql`r.id = (select region_id from region_country where country_code = ${countryCode})`,
  );
  return region ?? null;
}

function validate(input: Partial<RegionInput>): void {
  assertCodes({
    currency: input.currency,
    countries: Object.fromEntries((input.countries ?? []).map((c, i) => [`/body/countries/${i}`, c])),
  });
}

function writeError(err: unknown): unknown {
  if (err instanceof UniqueViolationError && err.constraint === 'region_name_key') return new RegionNameTakenError();
  if (err instanceof UniqueViolationError && err.constraint === 'region_country_pkey') {
    return new CountryInOtherRegionError();
  }
  return err;
}

async function setCountries(tx: Tx, regionId: string, countries: string[]): Promise<void> {
  await tx.deleteFrom('region_country').where('region_id', '=', regionId).execute();
  if (countries.length === 0) return;
  // The primary key refuses a country another region holds: the write decides, no read-then-insert race.
  await tx
    .insertInto('region_country')
    .values(countries.map((country_code) => ({ country_code, region_id: regionId })))
    .execute();
}

/**
 * Creates a region with its countries.
 * @throws {ValidationError} 400 for an unknown currency or country. @throws {CountryInOtherRegionError} 409.
 * @throws {RegionNameTakenError} 409.
 */
export async function createRegion(db: Db, ctx: AuditContext, input: RegionInput): Promise<Region> {
  validate(input);
  const id = newId('region');
  const countries = input.countries ?? [];
  try {
    return await withTransaction(db, async (tx) => {
      await tx
        .insertInto('region')
        .values({
          id,
          name: input.name.trim(),
          currency_code: input.currency,
          tax_inclusive: input.taxInclusive ?? false,
        })
        .execute();
      await setCountries(tx, id, countries);
      await recordAudit(tx, ctx, {
        action: 'region.created',
        targetType: 'region',
        targetId: id,
        changes: {
          name: input.name.trim(),
          currency: input.currency,
          countries,
          taxInclusive: input.taxInclusive ?? false,
        },
      });
      return getRegion(tx, id);
    });
  } catch (err) {
    throw writeError(err);
  }
}

/**
 * Changes a region; `countries` replaces its list. Same errors as {@link createRegion}, plus 404, and 409
 * {@link RegionCurrencyInUseError} for a currency change while shipping options are priced in the old one.
 */
export async function updateRegion(
  db: Db,
  ctx: AuditContext,
  id: string,
  patch: Partial<RegionInput>,
): Promise<Region> {
  validate(patch);
  try {
    return await withTransaction(db, async (tx) => {
      const row = await tx.selectFrom('region').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw new NotFoundError('Region', id);
      const before = await getRegion(tx, id);
      // Creating a shipping option takes a share lock on the region row we hold, so none can appear meanwhile.
      if (patch.currency !== undefined && patch.currency !== before.currency) {
        const priced = await tx
          .selectFrom('shipping_option')
          .select('id')
          .where('region_id', '=', id)
          .executeTakeFirst();
        if (priced) throw new RegionCurrencyInUseError();
      }
      await tx
        .updateTable('region')
        .set({
          ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
          ...(patch.currency !== undefined ? { currency_code: patch.currency } : {}),
          ...(patch.taxInclusive !== undefined ? { tax_inclusive: patch.taxInclusive } : {}),
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .execute();
      if (patch.countries !== undefined) await setCountries(tx, id, patch.countries);
      const after = await getRegion(tx, id);
      const changes: Record<string, unknown> = {};
      for (const key of ['name', 'currency', 'taxInclusive', 'countries'] as const) {
        if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
          changes[key] = { from: before[key], to: after[key] };
      }
      await recordAudit(tx, ctx, { action: 'region.updated', targetType: 'region', targetId: id, changes });
      return after;
    });
  } catch (err) {
    throw writeError(err);
  }
}

/** Deletes a region with its country list and shipping options. @throws {NotFoundError} 404. */
export async function deleteRegion(db: Db, ctx: AuditContext, id: string): Promise<void> {
  await withTransaction(db, async (tx) => {
    const row = await tx.selectFrom('region').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new NotFoundError('Region', id);
    const region = await getRegion(tx, id);
    await tx.deleteFrom('region').where('id', '=', id).execute();
    await recordAudit(tx, ctx, {
      action: 'region.deleted',
      targetType: 'region',
      targetId: id,
      changes: { name: region.name, currency: region.currency, countries: region.countries },
    });
  });
}

export interface RegionPaymentSettings {
  /** Ids of configured providers, in the order the storefront should offer them; null: all of them. */
  providers: string[] | null;
  captureMethod: 'automatic' | 'manual';
}

/**
 * Which gateways a region offers and when they take the money (`payments:manage`). Audited. Carts already holding a
 * prepared payment keep it; the next `POST /payment` follows the new settings.
 * @throws NotFoundError for an unknown region; the caller checks the providers are configured.
 */
export async function setRegionPaymentSettings(
  db: Db,
  ctx: AuditContext,
  id: string,
  input: RegionPaymentSettings,
): Promise<Region> {
  return withTransaction(db, async (tx) => {
    const before = await tx
      .selectFrom('region')
      .select(['payment_providers', 'capture_method'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new NotFoundError('Region', id);
    await tx
      .updateTable('region')
      .set({ payment_providers: input.providers, capture_method: input.captureMethod, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
    await recordAudit(tx, ctx, {
      action: 'region.payment_settings_changed',
      targetType: 'region',
      targetId: id,
      changes: {
        providers: { from: before.payment_providers, to: input.providers },
        captureMethod: { from: before.capture_method, to: input.captureMethod },
      },
    });
    return getRegion(tx, id);
  });
}
