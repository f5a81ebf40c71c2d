import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type postgres from 'postgres';
import { beginStatement, postgresDialect, savepointMethods } from './dialect-common.js';
import { TransactionAbortedError, withoutStatementData } from './pg-errors.js';

/**
 * Kysely dialect over postgres.js. It replaces `kysely-postgres-js`, which (with postgres.js
 * 3.4.9) crashed the whole process when PostgreSQL dropped a connection: it handed a dead reserved
 * connection back to the pool, and the pool's next write to its closed socket threw from a
 * `setImmediate` where nothing can catch it (porsager/postgres#1208). It also reported a COMMIT
 * that PostgreSQL turned into a ROLLBACK as success. This driver:
 * - never writes to, rolls back on, or releases a connection it knows is dead (the pool reconnects
 *   a fresh one; the server already rolled the transaction back when the session ended);
 * - throws `TransactionAbortedError` when COMMIT answers ROLLBACK;
 * - runs statements as named prepared statements (one round trip instead of two per statement).
 */
export function postgresJsDialect(sql: postgres.Sql): Dialect {
  return postgresDialect(() => new PostgresJSDriver(sql));
}

/** Connection-level failures: after one of these the session is gone. */
const connectionLostCodes = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown } | null;
  if (typeof e?.code === 'string' && connectionLostCodes.has(e.code)) return true;
  // FATAL/PANIC (e.g. 57P01 from pg_terminate_backend or a server shutdown) end the session.
  return e?.severity === 'FATAL' || e?.severity === 'PANIC';
}

function connectionLost(): Error {
  return Object.assign(new Error('the database connection was lost'), { code: 'CONNECTION_CLOSED' });
}

/**
 * postgres.js's internal connection object, handed to the `onexecute` query option (postgres.js
 * uses the same hook for `sql.begin`). While we hold it reserved, `reserved` stays the same
 * function; the pool clears it when the socket closes. This is how a transaction notices that its
 * session died while it sat idle between two statements, before writing to it.
 */
interface RawConnection {
  reserved: unknown;
}

class PostgresJSConnection implements DatabaseConnection {
  #dead = false;
  #raw: RawConnection | undefined;
  #reservedMark: unknown;
  /** Command tag of the last statement (COMMIT answers ROLLBACK when the transaction had failed). */
  lastCommand: string | undefined;
  /** The last statement error in the open transaction (the cause of an aborted COMMIT). */
  failure: unknown;

  constructor(private readonly reserved: postgres.ReservedSql) {}

  get dead(): boolean {
    if (!this.#dead && this.#raw && this.#raw.reserved !== this.#reservedMark) this.#dead = true;
    return this.#dead;
  }

  async run(text: string, parameters: readonly unknown[]) {
    if (this.dead) throw connectionLost();
    const onexecute = (raw: RawConnection) => {
      if (!this.#raw) {
        this.#raw = raw;
        this.#reservedMark = raw.reserved;
      }
      return true; // keep pipelining behaviour unchanged
    };
    try {
      return await this.reserved.unsafe(
        text,
        [...parameters] as postgres.ParameterOrJSON<never>[],
        {
          prepare: true,
          onexecute,
        } as postgres.UnsafeQueryOptions,
      );
    } catch (error) {
      // The statement's parameters stay here: what leaves the db layer may be logged.
      const err = withoutStatementData(error);
      if (isConnectionLoss(err)) this.#dead = true;
      else this.failure = err;
      throw err;
    }
  }

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.run(q.sql, q.parameters);
    const command = result.command;
    this.lastCommand = command;
    const counted = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
    return {
      rows: Array.from(result) as R[],
      ...(counted ? { numAffectedRows: BigInt(result.count) } : {}),
    };
  }

  // biome-ignore lint/correctness/useYield: Backroom does not stream; reads are paged
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported');
  }

  release(): void {
    // A dead connection is already back in the pool's "closed" queue; releasing it would move it
    // to "open", and the next query on it would crash the process.
    if (!this.dead) this.reserved.release();
  }
}

class PostgresJSDriver implements Driver {
  constructor(private readonly sql: postgres.Sql) {}

  async init() {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PostgresJSConnection(await this.sql.reserve());
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    (conn as PostgresJSConnection).release();
  }

  // Transaction control goes through `executeQuery` so Kysely's query log, and with it the
  // statement counter, sees BEGIN and COMMIT like every other round trip.
  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings) {
    const c = conn as PostgresJSConnection;
    c.failure = undefined;
    await conn.executeQuery(CompiledQuery.raw(beginStatement(settings)));
  }

  async commitTransaction(conn: DatabaseConnection) {
    const c = conn as PostgresJSConnection;
    await conn.executeQuery(CompiledQuery.raw('commit'));
    // PostgreSQL answers COMMIT with ROLLBACK when a statement failed earlier in the transaction.
    if (c.lastCommand === 'ROLLBACK') throw new TransactionAbortedError(c.failure);
  }

  async rollbackTransaction(conn: DatabaseConnection) {
    const c = conn as PostgresJSConnection;
    // When the session ended, so did the transaction: let the error that got us here through.
    if (c.dead) return;
    try {
      await conn.executeQuery(CompiledQuery.raw('rollback'));
    } catch (err) {
      if (!c.dead) throw err;
    }
  }

  savepoint = savepointMethods.savepoint;
  rollbackToSavepoint = savepointMethods.rollbackToSavepoint;
  releaseSavepoint = savepointMethods.releaseSavepoint;

  async destroy() {
    // Called after requests and workers finished, so nothing should be in flight. A connection
    // that died mid-statement never reports idle again (postgres.js), so do not wait on it long.
    await this.sql.end({ timeout: 1 });
  }
}
