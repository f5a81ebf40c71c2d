import { type Migration, type MigrationResultSet, Migrator, sql } from 'kysely';
import type { Db } from './database.js';

export type MigrationList = Record<string, Migration>;

/**
 * Kysely's migrator over our explicit, ordered migration list (no directory scanning, so the
 * compiled build and the TypeScript sources run the same list). It runs the pending migrations in
 * one transaction while holding a session-level `pg_advisory_lock` (Kysely's PostgreSQL adapter),
 * so two processes starting at once cannot both apply them: the second waits, then finds nothing
 * to do.
 */
function migrator(db: Db, migrations: MigrationList): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // A new migration must come after every applied one; the migrator refuses a list whose order
    // changed under an existing database.
    allowUnorderedMigrations: false,
  });
}

export class MigrationFailedError extends Error {
  constructor(
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    super(`migration ${migration ?? '(unknown)'} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'MigrationFailedError';
  }
}

/**
 * Applies every pending migration; returns the names applied now. When none is pending it returns
 * without taking the migration lock, which is also what lets the previous release start during a
 * rolling deploy: its database already has the new release's migrations, which Kysely's migrator
 * would reject as "missing" from the older list.
 */
export async function migrateToLatest(db: Db, migrations: MigrationList): Promise<string[]> {
  if ((await pendingMigrations(db, migrations)).length === 0) return [];
  const { error, results }: MigrationResultSet = await migrator(db, migrations).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new MigrationFailedError(failed, error);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export interface MigrationStatus {
  name: string;
  executedAt: Date | null;
}

export async function migrationStatus(db: Db, migrations: MigrationList): Promise<MigrationStatus[]> {
  const list = await migrator(db, migrations).getMigrations();
  return list.map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }));
}

/**
 * Names of known migrations not yet applied, in one statement (used by `/health/ready`, so it
 * must be cheap). A missing migration table means none are applied.
 */
export async function pendingMigrations(db: Db, migrations: MigrationList): Promise<string[]> {
  const known = Object.keys(migrations);
  const exists = await sql<{ t: string | null }>`select to_regclass('public.kysely_migration')::text as t`.execute(db);
  if (!exists.rows[0]?.t) return known;
  const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  const done = new Set(applied.rows.map((r) => r.name));
  return known.filter((n) => !done.has(n));
}
