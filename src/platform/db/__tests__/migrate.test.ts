import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb, usingPostgres } from '../../../../test/support/db.js';
import { migrations } from '../../../migrations/index.js';
import { createDb, type DbHandle } from '../create-db.js';
import type { Db } from '../database.js';
import {
  MigrationFailedError,
  type MigrationList,
  migrateToLatest,
  migrationStatus,
  pendingMigrations,
} from '../migrate.js';

const names = Object.keys(migrations);

async function appliedRows(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}

async function tableExists(db: Db, table: string): Promise<boolean> {
  const { rows } = await sql<{ t: string | null }>`select to_regclass(${table})::text as t`.execute(db);
  return rows[0]?.t != null;
}

let emptyImage: Promise<Blob> | undefined;

/**
 * An empty database. Embedded, it is a copy of one empty image made per file: PGlite's initdb
 * takes 3–12 s on a busy two-core machine, a copy one or two.
 */
const embedded = { dataDir: 'memory://', poolMax: 1, lockTimeoutMs: 5000, statementTimeoutMs: 60_000 };

async function freshEmptyDb(): Promise<TestDb> {
  if (usingPostgres) return createTestDb({ empty: true });
  const h = await createDb({ ...embedded, loadDataDir: await emptyImage });
  return { ...h, destroy: () => h.close() };
}

describe('migrations', () => {
  beforeAll(async () => {
    if (usingPostgres) return;
    emptyImage = createDb(embedded).then(async (h) => {
      const image = (await h.pglite?.dumpDataDir('none')) as Blob;
      await h.close();
      return image;
    });
    await emptyImage;
  });
  const opened: { destroy?: () => Promise<void>; close?: () => Promise<void> }[] = [];
  afterEach(async () => {
    // Extra handles first, then the databases they point at.
    for (const h of opened.reverse()) await (h.close ?? h.destroy)?.();
    opened.length = 0;
  });
  const emptyDb = async (): Promise<TestDb> => {
    const t = await freshEmptyDb();
    opened.push({ destroy: () => t.destroy() });
    return t;
  };

  it('reports every migration pending on an empty database, applies them once, then none is pending', async () => {
    const t = await emptyDb();
    expect(await pendingMigrations(t.db, migrations)).toEqual(names);
    expect(await migrationStatus(t.db, migrations)).toEqual(names.map((name) => ({ name, executedAt: null })));

    expect(await migrateToLatest(t.db, migrations)).toEqual(names);

    expect(await pendingMigrations(t.db, migrations)).toEqual([]);
    const status = await migrationStatus(t.db, migrations);
    expect(status.map((m) => m.name)).toEqual(names);
    for (const m of status) expect(m.executedAt).toBeInstanceOf(Date);
    expect(await appliedRows(t.db)).toEqual(names);
    expect(await tableExists(t.db, 'outbox_event')).toBe(true);

    // The second run finds nothing to do.
    expect(await migrateToLatest(t.db, migrations)).toEqual([]);
    expect(await appliedRows(t.db)).toEqual(names);
  });

  it('applies only the migrations added since the last run', async () => {
    const t = await emptyDb();
    const first = names.slice(0, 1);
    const older: MigrationList = Object.fromEntries(first.map((n) => [n, migrations[n]!]));
    expect(await migrateToLatest(t.db, older)).toEqual(first);
    expect(await pendingMigrations(t.db, migrations)).toEqual(names.slice(1));
    expect(await migrateToLatest(t.db, migrations)).toEqual(names.slice(1));
  });

  it('starts the previous release on a database migrated by the next one (rolling deploy)', async () => {
    const t = await emptyDb();
    const next: MigrationList = {
      ...migrations,
      '9999_test_next_release': {
        up: async (db) => {
          await sql`create table next_release_table (id int)`.execute(db);
        },
      },
    };
    await migrateToLatest(t.db, next);
    expect(await migrateToLatest(t.db, migrations)).toEqual([]);
    expect(await pendingMigrations(t.db, migrations)).toEqual([]);
  });

  it('rolls back a failing migration entirely and names it', async () => {
    const t = await emptyDb();
    const broken: MigrationList = {
      ...migrations,
      '9999_test_broken': {
        up: async (db) => {
          await sql`create table half_done (id int)`.execute(db);
          await sql`select 1 / 0`.execute(db);
        },
      },
    };
    const err = await migrateToLatest(t.db, broken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationFailedError);
    expect((err as MigrationFailedError).migration).toBe('9999_test_broken');
    expect((err as Error).message).toContain('9999_test_broken');
    // All pending migrations run in one transaction: none of them is applied.
    expect(await tableExists(t.db, 'half_done')).toBe(false);
    expect(await pendingMigrations(t.db, migrations)).toEqual(names);
  });

  it.skipIf(!usingPostgres)(
    'lets three processes migrate one empty database at once; each migration runs once',
    async () => {
      const t = await emptyDb();
      const handles: DbHandle[] = [t];
      for (let i = 0; i < 2; i++) {
        const h = await createDb({
          url: t.url,
          dataDir: '',
          poolMax: 2,
          lockTimeoutMs: 5000,
          statementTimeoutMs: 60_000,
        });
        opened.push({ close: () => h.close() });
        handles.push(h);
      }
      // The real migrations, counting how often each one's `up` runs.
      const runs: Record<string, number> = {};
      const counted: MigrationList = Object.fromEntries(
        names.map((n) => [
          n,
          {
            up: async (db) => {
              runs[n] = (runs[n] ?? 0) + 1;
              await migrations[n]!.up(db);
            },
          },
        ]),
      );
      const results = await Promise.all(handles.map((h) => migrateToLatest(h.db, counted)));
      // Every migration was applied by exactly one of them; the others found nothing to do.
      expect(runs).toEqual(Object.fromEntries(names.map((n) => [n, 1])));
      expect(results.flat().sort()).toEqual([...names].sort());
      expect(await appliedRows(t.db)).toEqual(names);
      for (const h of handles) expect(await pendingMigrations(h.db, migrations)).toEqual([]);
    },
  );
});
