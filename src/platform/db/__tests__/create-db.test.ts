import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/support/db.js';
import { createMetrics, type Metrics } from '../../metrics.js';
import { createDb } from '../create-db.js';
import { lockDataDir } from '../data-dir-lock.js';
import { withTransaction } from '../transaction.js';

describe('createDb', () => {
  let t: TestDb;
  let metrics: Metrics;

  beforeAll(async () => {
    metrics = createMetrics();
    t = await createTestDb({ metrics });
  });
  afterAll(() => t.destroy());

  it('returns int8 columns as JavaScript numbers', async () => {
    await sql`create table int8_values (id int8 primary key, amount bigint not null)`.execute(t.db);
    await sql`insert into int8_values values (${1}, ${9_007_199_254_740_991})`.execute(t.db);
    const { rows } = await sql<{ id: unknown; amount: unknown; n: unknown }>`
      select id, amount, (select count(*) from int8_values) as n from int8_values`.execute(t.db);
    expect(rows).toEqual([{ id: 1, amount: Number.MAX_SAFE_INTEGER, n: 1 }]);
    expect(typeof rows[0]?.amount).toBe('number');
  });

  it('refuses an int8 beyond 2^53 instead of rounding it', async () => {
    await expect(sql`select 9007199254740993::int8 as too_big`.execute(t.db)).rejects.toThrow(/safe integer/);
    // The connection is still usable afterwards.
    const { rows } = await sql<{ ok: number }>`select 1::int8 as ok`.execute(t.db);
    expect(rows[0]?.ok).toBe(1);
  });

  it('publishes pool usage and gives every connection back', async () => {
    await Promise.all(Array.from({ length: 5 }, () => withTransaction(t.db, (tx) => sql`select 1`.execute(tx))));
    expect((await metrics.dbPoolInUse.get()).values[0]?.value).toBe(0);
    expect((await metrics.dbPoolWaiting.get()).values[0]?.value).toBe(0);
    expect((await metrics.dbPoolMax.get()).values[0]?.value).toBe(t.kind === 'pglite' ? 1 : 10);
    const durations = await metrics.dbQueryDuration.get();
    expect(durations.values.some((v) => v.metricName === 'db_query_duration_seconds_count' && v.value > 0)).toBe(true);
  });

  it('delivers NOTIFY payloads to a LISTEN callback until unlisten', async () => {
    const payloads: string[] = [];
    const unlisten = await t.listen('cache_test', (p) => payloads.push(p));
    await sql`select pg_notify('cache_test', 'first')`.execute(t.db);
    await expect.poll(() => payloads).toEqual(['first']);
    await unlisten();
    await sql`select pg_notify('cache_test', 'second')`.execute(t.db);
    await new Promise((r) => setTimeout(r, 100));
    expect(payloads).toEqual(['first']);
  });
});

describe('embedded data dir lock', () => {
  const settings = { poolMax: 1, lockTimeoutMs: 5000, statementTimeoutMs: 60_000 };
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'backroom-lock-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // On-disk PGlite: initdb, then two opens; slow on a busy two-core machine.
  it('refuses a second open of a data dir while it is open, and allows it after close', {
    timeout: 120_000,
  }, async () => {
    const first = await createDb({ ...settings, dataDir: dir });
    try {
      await sql`create table kept (v text)`.execute(first.db);
      await sql`insert into kept values ('written by the first handle')`.execute(first.db);
      await expect(createDb({ ...settings, dataDir: dir })).rejects.toThrow(
        /embedded database in .* is in use by this process; stop it, or set DATABASE_URL/,
      );
    } finally {
      await first.close();
    }
    const second = await createDb({ ...settings, dataDir: dir });
    try {
      const { rows } = await sql<{ v: string }>`select v from kept`.execute(second.db);
      expect(rows).toEqual([{ v: 'written by the first handle' }]);
    } finally {
      await second.close();
    }
  });

  it('takes over a pid file left by a process that is gone', () => {
    const stale = mkdtempSync(join(tmpdir(), 'backroom-lock-'));
    writeFileSync(join(stale, 'backroom.pid'), '2147483646');
    const unlock = lockDataDir(stale);
    expect(readFileSync(join(stale, 'backroom.pid'), 'utf8')).toBe(String(process.pid));
    unlock();
    rmSync(stale, { recursive: true, force: true });
  });

  it('refuses a data dir whose pid file names another live process', () => {
    const taken = mkdtempSync(join(tmpdir(), 'backroom-lock-'));
    writeFileSync(join(taken, 'backroom.pid'), String(process.ppid));
    expect(() => lockDataDir(taken)).toThrow(`is in use by process ${process.ppid}`);
    expect(readFileSync(join(taken, 'backroom.pid'), 'utf8')).toBe(String(process.ppid));
    rmSync(taken, { recursive: true, force: true });
  });
});
