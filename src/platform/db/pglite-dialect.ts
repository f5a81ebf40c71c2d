import type { PGlite, Results } from '@electric-sql/pglite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { beginStatement, postgresDialect, savepointMethods } from './dialect-common.js';
import { sqlState, TransactionAbortedError, withoutStatementData } from './pg-errors.js';
import type { SessionLock } from './session-lock.js';

/**
 * Kysely dialect for embedded PostgreSQL (PGlite). PGlite is one session, so this driver hands out
 * that single connection to one caller at a time: a transaction owns it from BEGIN to COMMIT and
 * concurrent commands queue behind it, exactly like a pool of size 1 on a real server. The turns
 * come from `lock`, which the local socket's clients share (see local-socket.ts).
 */
export function pgliteDialect(pg: PGlite, lock: SessionLock): Dialect {
  return postgresDialect(() => new PGliteDriver(pg, lock));
}

class PGliteConnection implements DatabaseConnection {
  /**
   * The statement error that put the open transaction in the aborted state, if any. PGlite does
   * not report COMMIT's command tag, so we track it: a failed statement aborts the transaction
   * and only ROLLBACK (TO SAVEPOINT) recovers it; a COMMIT then would silently roll back.
   */
  failure: unknown;

  constructor(private readonly pg: PGlite) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    let res: Results<R>;
    try {
      res = await this.pg.query<R>(q.sql, [...q.parameters], { rowMode: 'object' });
    } catch (error) {
      // PGlite hangs the statement and its parameters on the error: they stay here (logs must not see them).
      const err = withoutStatementData(error);
      // Only a server error (it has a SQLSTATE) aborts the transaction; one thrown while parsing
      // a result in JavaScript does not.
      if (sqlState(err) !== undefined) this.failure = err;
      throw err;
    }
    // Recovered, whether through Kysely's savepoint API or a raw `rollback to savepoint`.
    if (this.failure !== undefined && /^\s*rollback\s+to\b/i.test(q.sql)) this.failure = undefined;
    const affected = res.affectedRows;
    return {
      rows: res.rows,
      ...(affected !== undefined && q.query.kind !== 'SelectQueryNode' ? { numAffectedRows: BigInt(affected) } : {}),
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not supported by PGlite's query API
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite dialect does not support streaming queries');
  }
}

class PGliteDriver implements Driver {
  readonly #conn: PGliteConnection;

  constructor(
    private readonly pg: PGlite,
    private readonly lock: SessionLock,
  ) {
    this.#conn = new PGliteConnection(pg);
  }

  async init() {
    await this.pg.waitReady;
  }

  #release: (() => void) | undefined;

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#release = await this.lock.acquire();
    return this.#conn;
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  // Transaction control goes through `executeQuery` (not `run`) so Kysely's query log, and with
  // it the statement counter, sees BEGIN and COMMIT like every other round trip.
  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings) {
    this.#conn.failure = undefined;
    await conn.executeQuery(CompiledQuery.raw(beginStatement(settings)));
  }
  async commitTransaction(conn: DatabaseConnection) {
    const failure = this.#conn.failure;
    await conn.executeQuery(CompiledQuery.raw('commit'));
    if (failure !== undefined) throw new TransactionAbortedError(failure);
  }
  async rollbackTransaction(conn: DatabaseConnection) {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }
  savepoint = savepointMethods.savepoint;
  rollbackToSavepoint = savepointMethods.rollbackToSavepoint;
  releaseSavepoint = savepointMethods.releaseSavepoint;
  async destroy() {
    if (!this.pg.closed) await this.pg.close();
  }
}
