import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb, usingPostgres } from '../../../../test/support/db.js';
import { AppError, ServiceUnavailableError } from '../../errors.js';
import { createMetrics, type Metrics } from '../../metrics.js';
import { createDb } from '../create-db.js';
import type { Queryable } from '../database.js';
import { sqlState, TransactionAbortedError, UniqueViolationError } from '../pg-errors.js';
import { NestedTransactionError, withTransaction } from '../transaction.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function counterValues(db: Queryable): Promise<Record<number, number>> {
  const { rows } = await sql<{ id: number; n: number }>`select id, n from tx_counter order by id`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.id, r.n]));
}

async function retriesCounted(metrics: Metrics, sqlstate: string): Promise<number> {
  const metric = await metrics.txRetries.get();
  return metric.values.find((v) => v.labels.sqlstate === sqlstate)?.value ?? 0;
}

describe('withTransaction', () => {
  let t: TestDb;
  let metrics: Metrics;

  beforeAll(async () => {
    t = await createTestDb();
    await sql`create table tx_counter (id int primary key, n int not null default 0)`.execute(t.db);
  });
  afterAll(() => t.destroy());
  beforeEach(async () => {
    metrics = createMetrics();
    await sql`delete from tx_counter`.execute(t.db);
    await sql`insert into tx_counter (id) values (1), (2)`.execute(t.db);
  });

  const bump = (tx: Queryable, id: number) => sql`update tx_counter set n = n + 1 where id = ${id}`.execute(tx);

  it('commits the work of fn and returns its result', async () => {
    const result = await withTransaction(t.db, async (tx) => {
      await bump(tx, 1);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await counterValues(t.db)).toEqual({ 1: 1, 2: 0 });
  });

  it('rolls back everything when fn throws and rethrows the same error', async () => {
    const failure = new AppError(422, 'SOME_RULE', 'Rule broken');
    await expect(
      withTransaction(t.db, async (tx) => {
        await bump(tx, 1);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await counterValues(t.db)).toEqual({ 1: 0, 2: 0 });
  });

  it.each([
    ['serialization_failure', '40001'],
    ['deadlock_detected', '40P01'],
  ])('re-runs fn on %s and gives up after maxAttempts with a 503 TRANSACTION_CONFLICT', async (name, code) => {
    let attempts = 0;
    const err = await withTransaction(
      t.db,
      async (tx) => {
        attempts++;
        await bump(tx, 1);
        // A real error raised by the database with this SQLSTATE.
        await sql.raw(`do $$ begin raise exception 'conflict' using errcode = '${name}'; end $$`).execute(tx);
      },
      { maxAttempts: 3, metrics },
    ).catch((e: unknown) => e);
    expect(attempts).toBe(3);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err).toMatchObject({ status: 503, code: 'TRANSACTION_CONFLICT', headers: { 'retry-after': '1' } });
    expect(sqlState((err as Error).cause)).toBe(code);
    expect(await retriesCounted(metrics, code)).toBe(2);
    expect(await counterValues(t.db)).toEqual({ 1: 0, 2: 0 });
  });

  it('does not re-run fn for other database errors', async () => {
    let attempts = 0;
    const err = await withTransaction(t.db, async (tx) => {
      attempts++;
      await sql`insert into tx_counter (id) values (1)`.execute(tx);
    }).catch((e: unknown) => e);
    expect(attempts).toBe(1);
    expect(err).toBeInstanceOf(UniqueViolationError);
  });

  it('runs with the configured lock_timeout, and lockTimeoutMs overrides it for one transaction only', async () => {
    const show = (db: Queryable) =>
      sql<{ lock_timeout: string }>`show lock_timeout`.execute(db).then((r) => r.rows[0]?.lock_timeout);
    expect(await withTransaction(t.db, show)).toBe('5s');
    expect(await withTransaction(t.db, show, { lockTimeoutMs: 250 })).toBe('250ms');
    expect(await withTransaction(t.db, show)).toBe('5s');
  });

  it('throws TransactionAbortedError when fn caught a failed statement, and saves nothing', async () => {
    const err = await withTransaction(t.db, async (tx) => {
      await bump(tx, 1);
      await sql`insert into tx_counter (id) values (2)`.execute(tx).catch(() => {});
      return 'looked fine';
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionAbortedError);
    expect(sqlState((err as Error).cause)).toBe('23505');
    expect(await counterValues(t.db)).toEqual({ 1: 0, 2: 0 });
  });

  it('commits when fn recovered from a failed statement with a savepoint', async () => {
    await withTransaction(t.db, async (tx) => {
      await bump(tx, 1);
      await sql`savepoint before_insert`.execute(tx);
      await sql`insert into tx_counter (id) values (2)`.execute(tx).catch(() => {});
      await sql`rollback to savepoint before_insert`.execute(tx);
      await bump(tx, 2);
    });
    expect(await counterValues(t.db)).toEqual({ 1: 1, 2: 1 });
  });

  it('refuses a nested withTransaction on the same database instead of waiting forever', async () => {
    const err = await withTransaction(t.db, async (tx) => {
      await bump(tx, 1);
      await withTransaction(t.db, (inner) => bump(inner, 2));
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NestedTransactionError);
    expect(await counterValues(t.db)).toEqual({ 1: 0, 2: 0 });
    // Side by side (not nested) is fine.
    await Promise.all([withTransaction(t.db, (tx) => bump(tx, 1)), withTransaction(t.db, (tx) => bump(tx, 2))]);
    expect(await counterValues(t.db)).toEqual({ 1: 1, 2: 1 });
  });

  it('commits all of 20 concurrent increments of one row', async () => {
    await Promise.all(Array.from({ length: 20 }, () => withTransaction(t.db, (tx) => bump(tx, 1))));
    expect(await counterValues(t.db)).toEqual({ 1: 20, 2: 0 });
  });

  it.skipIf(!usingPostgres)('retries a deadlocked transaction and both transactions commit once', async () => {
    const attempts = { a: 0, b: 0 };
    const aHolds1 = deferred();
    const bHolds2 = deferred();
    // A locks row 1 then row 2, B locks row 2 then row 1; on their first attempts each waits until
    // the other holds its first row, so PostgreSQL must pick one of them as the deadlock victim.
    const a = withTransaction(
      t.db,
      async (tx) => {
        attempts.a++;
        await bump(tx, 1);
        if (attempts.a === 1) {
          aHolds1.resolve();
          await bHolds2.promise;
        }
        await bump(tx, 2);
      },
      { metrics },
    );
    const b = withTransaction(
      t.db,
      async (tx) => {
        attempts.b++;
        await bump(tx, 2);
        if (attempts.b === 1) {
          bHolds2.resolve();
          await aHolds1.promise;
        }
        await bump(tx, 1);
      },
      { metrics },
    );
    await Promise.all([a, b]);
    expect(attempts.a + attempts.b).toBe(3);
    expect(await retriesCounted(metrics, '40P01')).toBe(1);
    expect(await counterValues(t.db)).toEqual({ 1: 2, 2: 2 });
  });

  it.skipIf(!usingPostgres)('retries a serialization failure and the retry sees the committed write', async () => {
    // Write skew: each transaction turns one row off only if both are on. Serializable isolation
    // lets one commit; the other fails with 40001, re-runs, sees one row off and leaves its row.
    await sql`update tx_counter set n = 1`.execute(t.db);
    const attempts = { 1: 0, 2: 0 };
    const read = { 1: deferred(), 2: deferred() };
    const turnOff = (id: 1 | 2, other: 1 | 2) =>
      withTransaction(
        t.db,
        async (tx) => {
          attempts[id]++;
          const { rows } = await sql<{ on: number }>`select count(*) as on from tx_counter where n = 1`.execute(tx);
          if (attempts[id] === 1) {
            read[id].resolve();
            await read[other].promise;
          }
          if (rows[0]?.on === 2) await sql`update tx_counter set n = 0 where id = ${id}`.execute(tx);
        },
        { isolation: 'serializable', metrics },
      );
    await Promise.all([turnOff(1, 2), turnOff(2, 1)]);
    // PostgreSQL may report the conflict at the loser's UPDATE, before the winner commits; the
    // loser's retry then still reads both rows on and fails once more. So at least one retry, and
    // every re-run is a counted retry.
    const retries = await retriesCounted(metrics, '40001');
    expect(retries).toBeGreaterThanOrEqual(1);
    expect(attempts[1] + attempts[2]).toBe(2 + retries);
    const values = Object.values(await counterValues(t.db));
    expect(values.sort()).toEqual([0, 1]);
  });

  it.skipIf(!usingPostgres)(
    'fails with 503 LOCK_TIMEOUT after about lock_timeout when a row stays locked',
    async () => {
      const impatient = await createDb({
        url: t.url,
        dataDir: '',
        poolMax: 2,
        lockTimeoutMs: 300,
        statementTimeoutMs: 10_000,
      });
      const locked = deferred();
      const release = deferred();
      const holder = withTransaction(t.db, async (tx) => {
        await sql`select id from tx_counter where id = 1 for update`.execute(tx);
        locked.resolve();
        await release.promise;
      });
      try {
        await locked.promise;
        const started = performance.now();
        const err = await withTransaction(impatient.db, (tx) => bump(tx, 1)).catch((e: unknown) => e);
        const waited = performance.now() - started;
        expect(err).toBeInstanceOf(ServiceUnavailableError);
        expect(err).toMatchObject({ status: 503, code: 'LOCK_TIMEOUT' });
        expect(waited).toBeGreaterThanOrEqual(250);
        expect(waited).toBeLessThan(3000);
      } finally {
        release.resolve();
        await holder;
        await impatient.close();
      }
      expect(await counterValues(t.db)).toEqual({ 1: 0, 2: 0 });
    },
  );
});
