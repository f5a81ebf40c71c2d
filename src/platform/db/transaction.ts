import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type IsolationLevel, sql } from 'kysely';
import type { Metrics } from '../metrics.js';
import { flushBeforeCommit, openBeforeCommit } from './before-commit.js';
import type { Db, Tx } from './database.js';
import { isRetryableTransactionError, mapDbError, sqlState } from './pg-errors.js';

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** Attempts in total, including the first (default 5). */
  maxAttempts?: number;
  /** Overrides the session's lock_timeout for this transaction only (`SET LOCAL`). */
  lockTimeoutMs?: number;
  metrics?: Metrics;
}

/** The database whose transaction the current code runs inside, if any. */
const openTransaction = new AsyncLocalStorage<Db>();

export class NestedTransactionError extends Error {
  constructor() {
    super(
      'withTransaction was called inside a transaction on the same database: pass its tx down instead. ' +
        'A second transaction would not be part of the first, and on the embedded database it waits forever ' +
        'for the one connection the first one holds.',
    );
    this.name = 'NestedTransactionError';
  }
}

/**
 * Runs `fn` in one transaction and commits it. Serialization failures (40001) and deadlocks
 * (40P01) roll back and re-run `fn` from the start, a bounded number of times with jittered
 * backoff, so `fn` must only do database work (never call a payment gateway from inside).
 * Every session runs with `lock_timeout` and `statement_timeout` (set when it connects), so a
 * transaction that waits too long for a lock fails with 503 `LOCK_TIMEOUT` instead of queueing
 * forever. Database errors leave as typed errors (`mapDbError`). Calling it again from inside `fn`
 * on the same database throws `NestedTransactionError`. Writes queued with `writeBeforeCommit`
 * (outbox events) are made after `fn` returns, before COMMIT.
 */
export async function withTransaction<T>(
  db: Db,
  fn: (tx: Tx) => Promise<T>,
  opts: TransactionOptions = {},
): Promise<T> {
  if (openTransaction.getStore() === db) throw new NestedTransactionError();
  const maxAttempts = opts.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      let builder = db.transaction();
      if (opts.isolation) builder = builder.setIsolationLevel(opts.isolation);
      return await builder.execute(async (tx) => {
        if (opts.lockTimeoutMs !== undefined) {
          await sql`select set_config('lock_timeout', ${`${Math.trunc(opts.lockTimeoutMs)}ms`}, true)`.execute(tx);
        }
        openBeforeCommit(tx);
        const result = await openTransaction.run(db, () => fn(tx));
        await flushBeforeCommit(tx);
        return result;
      });
    } catch (err) {
      if (isRetryableTransactionError(err) && attempt < maxAttempts) {
        opts.metrics?.txRetries.inc({ sqlstate: sqlState(err) ?? 'unknown' });
        // 10, 20, 40, 80 ms … with full jitter so colliding transactions spread out.
        await sleep(Math.random() * 10 * 2 ** (attempt - 1));
        continue;
      }
      throw mapDbError(err);
    }
  }
}
