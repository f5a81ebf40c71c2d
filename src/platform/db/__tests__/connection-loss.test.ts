import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb, usingPostgres } from '../../../../test/support/db.js';
import { adminSql } from '../../../../test/support/pg-admin.js';
import { ServiceUnavailableError } from '../../errors.js';
import { createDb } from '../create-db.js';
import type { Queryable } from '../database.js';
import { mapDbError } from '../pg-errors.js';
import { withTransaction } from '../transaction.js';

/**
 * PostgreSQL restarts, fails over, or an operator kills sessions: the process must answer 503 and
 * carry on with fresh connections, never crash. (postgres.js 3.4.9 used to crash the process here:
 * a dead connection went back to the pool and the next write to it threw where nothing could catch
 * it. Vitest fails the file on such an uncaught exception.)
 */
describe.skipIf(!usingPostgres)('database connection loss', () => {
  let t: TestDb;
  let admin: ReturnType<typeof adminSql>;
  let dbName: string;

  beforeAll(async () => {
    t = await createTestDb({ poolMax: 4 });
    admin = adminSql(process.env.TEST_DATABASE_URL!);
    dbName = new URL(t.url!).pathname.slice(1);
  });
  afterAll(async () => {
    await admin.end();
    await t.destroy();
  });

  const terminateAll = async () => {
    const rows = await admin`
      select pg_terminate_backend(pid) as done from pg_stat_activity
      where datname = ${dbName} and pid <> pg_backend_pid()`;
    return rows.length;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const one = () => sql<{ one: number }>`select ${1}::int as one`.execute(t.db).then((r) => r.rows[0]?.one);

  /** The outcome a caller sees: the value, or the typed error. */
  const outcome = (p: Promise<unknown>) =>
    p.then(
      (value) => ({ value }),
      (err: unknown) => ({ error: mapDbError(err) }),
    );

  async function expectHealthyAgain() {
    for (let i = 0; i < 10; i++) expect(await one()).toBe(1);
    expect(await withTransaction(t.db, (tx) => sql`select 1 as ok`.execute(tx).then((r) => r.rows.length))).toBe(1);
  }

  it('answers the next command with 503 DATABASE_UNAVAILABLE or the result, after idle connections were killed', async () => {
    await Promise.all(Array.from({ length: 4 }, () => sql`select pg_sleep(0.02)`.execute(t.db)));
    expect(await terminateAll()).toBeGreaterThan(0);
    await sleep(50);
    const next = await outcome(one());
    if ('error' in next) {
      expect(next.error).toBeInstanceOf(ServiceUnavailableError);
      expect(next.error).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    } else {
      expect(next.value).toBe(1);
    }
    await expectHealthyAgain();
  });

  /** Kills the session running a statement that contains `marker`, once it is running. */
  async function killSessionRunning(marker: string) {
    await expect
      .poll(async () => {
        const rows = await admin`
          select pg_terminate_backend(pid) from pg_stat_activity
          where datname = ${dbName} and state = 'active' and query like ${`%${marker}%`} and pid <> pg_backend_pid()`;
        return rows.length;
      })
      .toBe(1);
  }

  const backendPid = (tx: Queryable) =>
    sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx).then((r) => r.rows[0]!.pid);

  it('fails a statement running when its session is killed with 503, then reconnects', async () => {
    const running = outcome(sql`select pg_sleep(5), 'marker_single' as m`.execute(t.db));
    await killSessionRunning('marker_single');
    expect(await running).toMatchObject({ error: { status: 503, code: 'DATABASE_UNAVAILABLE' } });
    await expectHealthyAgain();
  });

  it('fails a transaction whose session is killed mid-statement with 503, then reconnects', async () => {
    const running = withTransaction(t.db, async (tx) => {
      await sql`select 1`.execute(tx);
      await sql`select pg_sleep(5), 'marker_in_tx' as m`.execute(tx);
    }).catch((e: unknown) => e);
    await killSessionRunning('marker_in_tx');
    expect(await running).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    await expectHealthyAgain();
  });

  it('fails a transaction whose session is killed while it waits between statements, then reconnects', async () => {
    const err = await withTransaction(t.db, async (tx) => {
      const pid = await backendPid(tx);
      await admin`select pg_terminate_backend(${pid})`;
      await sleep(100);
      await sql`select 2`.execute(tx);
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    await expectHealthyAgain();
  });
});

describe('unreachable database server', () => {
  it('answers 503 DATABASE_UNAVAILABLE, in and out of a transaction, and closes cleanly', async () => {
    const h = await createDb({
      url: 'postgres://postgres@127.0.0.1:1/nowhere',
      dataDir: '',
      poolMax: 2,
      lockTimeoutMs: 1000,
      statementTimeoutMs: 1000,
    });
    try {
      const plain = await sql`select 1`.execute(h.db).catch((e: unknown) => mapDbError(e));
      expect(plain).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
      const inTx = await withTransaction(h.db, (tx) => sql`select 1`.execute(tx)).catch((e: unknown) => e);
      expect(inTx).toBeInstanceOf(ServiceUnavailableError);
      expect(inTx).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    } finally {
      await h.close();
    }
  });
});
