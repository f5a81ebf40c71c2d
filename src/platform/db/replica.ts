import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  sql,
  type TransactionSettings,
} from 'kysely';
import type { Db } from './database.js';
import { postgresDialect } from './dialect-common.js';

/**
 * Reads that may be served by a streaming replica (DATABASE_REPLICA_URL): storefront reads and reports.
 *
 * `readDb` is a Kysely whose driver takes each connection from the replica's pool, or from the primary's when
 * - the replica is unreachable (retried after `retryMs`; a statement whose replica connection died is run again on
 *   the primary), so a replica outage slows nothing down and fails nothing;
 * - or it has not yet replayed the **read fence**: the primary's WAL position recorded by `fence()`.
 *
 * Why the fence: every node drops its storefront cache when it hears `catalog_changed` (NOTIFY on the primary —
 * notifications are not WAL-logged, so a standby's listeners never hear them). A re-read from a replica that is
 * still behind the change would put the OLD price back into the fresh cache, to be served until the next change.
 * So a notification raises the fence (`fencedListener`) before the cache is cleared: until the primary's position
 * is known every read goes to the primary, then the replica is used again once `pg_last_wal_replay_lsn()` has
 * passed it. The position is read after the notification arrived, which PostgreSQL sends only after the commit,
 * so the insert position then lies past the commit record; replay is monotonic, so a replica seen past it before
 * a statement starts shows the change to that statement.
 */
export interface ReplicaReads {
  readDb: Db;
  /** Reads through `readDb` from when this resolves see every transaction the primary had committed at the call. */
  fence(): Promise<void>;
  /** For /health/ready: reachable or not, and how far behind. */
  check(): Promise<ReplicaCheck>;
  /** Ends the replica's pool (the primary's is the caller's). */
  close(): Promise<void>;
}

export type ReplicaCheck =
  | { status: 'up'; latencyMs: number; lagBytes: number }
  | { status: 'down'; detail: string }
  | { status: 'disabled' };

/** No replica configured: reads go to the primary and fences cost nothing. */
export function primaryReads(db: Db): ReplicaReads {
  return {
    readDb: db,
    fence: async () => {},
    check: async () => ({ status: 'disabled' }),
    close: async () => {},
  };
}

/** Connection failures after which the replica counts as down; anything else is the statement's own error. */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown (the standby is stopping)
  '57P03', // cannot_connect_now (starting up, not yet consistent)
]);

function unreachable(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown } | null;
  return (typeof e?.code === 'string' && unreachableCodes.has(e.code)) || e?.severity === 'FATAL';
}

/** WAL positions as byte offsets (pg_lsn's text form 'X/Y' does not compare as text). */
const lsnBytes = (column: string) => `pg_wal_lsn_diff(${column}, '0/0')::text`;

async function firstLsn(conn: DatabaseConnection, text: string): Promise<bigint | undefined> {
  const { rows } = await conn.executeQuery<{ lsn: string | null }>(CompiledQuery.raw(`select ${text} as lsn`));
  const lsn = rows[0]?.lsn;
  return lsn == null ? undefined : BigInt(lsn);
}

export interface ReplicaRoutingOptions {
  /** How long a replica that failed to connect is left alone before the next try (ms). */
  retryMs: number;
  /** Called when the replica goes down or comes back (logging). */
  onStateChange?: (state: 'down' | 'up', err?: unknown) => void;
  /** Builds the Kysely over the routing dialect, with the primary's query log and pool metrics. */
  kysely: (dialect: Dialect) => Db;
}

/**
 * `primary`: the primary's Kysely (fence positions, health) and a driver over its pool that the routing driver may
 * borrow connections from (its `destroy` is never called here). `replica`: a driver over the replica's own pool.
 */
export function replicaReads(
  primary: { db: Db; driver: Driver },
  replica: Driver,
  options: ReplicaRoutingOptions,
): ReplicaReads {
  const state = new RoutingState(primary.db, options);
  const driver = new RoutingDriver(primary.driver, replica, state);
  return {
    readDb: options.kysely(postgresDialect(() => driver)),
    fence: () => state.fence(),
    async check() {
      const t0 = performance.now();
      try {
        const conn = await replica.acquireConnection();
        try {
          const replay = await firstLsn(conn, lsnBytes('pg_last_wal_replay_lsn()'));
          const latencyMs = Math.round((performance.now() - t0) * 10) / 10;
          state.up();
          // The primary's own outage is the database check's to report: the lag is then unknown (-1).
          const current = await state.primaryPosition().catch(() => undefined);
          const lagBytes = replay === undefined || current === undefined ? -1 : Number(current - replay);
          return { status: 'up', latencyMs, lagBytes };
        } finally {
          await replica.releaseConnection(conn);
        }
      } catch (err) {
        if (unreachable(err)) state.down(err);
        return { status: 'down', detail: 'replica unreachable; reads use the primary' };
      }
    },
    async close() {
      state.closed = true;
      await replica.destroy();
    },
  };
}

/** The fence and the replica's known state, shared by every connection of the routing driver. */
class RoutingState {
  /** WAL position (bytes) that replica reads must have replayed. */
  required = 0n;
  /** Fences whose primary position is not known yet: while any is, reads go to the primary. */
  pending = 0;
  /** The replica was seen to have replayed at least this far (replay only moves forward). */
  replayed = 0n;
  downUntil = 0;
  isDown = false;
  closed = false;

  constructor(
    private readonly primary: Db,
    private readonly options: ReplicaRoutingOptions,
  ) {}

  async primaryPosition(): Promise<bigint> {
    const { rows } = await sql<{
      lsn: string;
    }>`select ${sql.raw(lsnBytes('pg_current_wal_insert_lsn()'))} as lsn`.execute(this.primary);
    return BigInt(rows[0]?.lsn ?? '0');
  }

  async fence(): Promise<void> {
    this.pending += 1;
    try {
      for (;;) {
        try {
          const lsn = await this.primaryPosition();
          if (lsn > this.required) this.required = lsn;
          return;
        } catch (err) {
          // Without the position the replica cannot be trusted with this change: keep reads on the primary and
          // ask again (the primary being down fails those reads anyway).
          if (this.closed) throw err;
          await new Promise((r) => setTimeout(r, 500).unref());
        }
      }
    } finally {
      this.pending -= 1;
    }
  }

  usable(): boolean {
    return !this.closed && Date.now() >= this.downUntil;
  }

  down(err: unknown) {
    this.downUntil = Date.now() + this.options.retryMs;
    if (!this.isDown) {
      this.isDown = true;
      this.options.onStateChange?.('down', err);
    }
  }

  up() {
    if (this.isDown) {
      this.isDown = false;
      this.options.onStateChange?.('up');
    }
  }

  /** The fence is met when no position is pending and the replica replayed at least the required one. */
  met(replayed: bigint): boolean {
    return this.pending === 0 && replayed >= this.required;
  }
}

/** A connection of the routing driver: which pool it came from, so it goes back there. */
class RoutedConnection implements DatabaseConnection {
  inTransaction = false;

  constructor(
    public inner: DatabaseConnection,
    public fromReplica: boolean,
    private readonly driver: RoutingDriver,
  ) {}

  async executeQuery<R>(q: CompiledQuery) {
    try {
      return await this.inner.executeQuery<R>(q);
    } catch (err) {
      // The replica went away under a single statement, or cancelled it to replay WAL that removes rows it was
      // reading (a recovery conflict, 40001 on a standby): run it on the primary instead of failing the request.
      const conflict = (err as { code?: unknown } | null)?.code === '40001';
      if (!this.fromReplica || this.inTransaction || !(conflict || unreachable(err))) throw err;
      if (!conflict) this.driver.state.down(err);
      await this.driver.replica.releaseConnection(this.inner).catch(() => {});
      this.inner = await this.driver.primary.acquireConnection();
      this.fromReplica = false;
      return this.inner.executeQuery<R>(q);
    }
  }

  streamQuery<R>(q: CompiledQuery, chunkSize?: number) {
    return this.inner.streamQuery<R>(q, chunkSize);
  }
}

class RoutingDriver implements Driver {
  constructor(
    readonly primary: Driver,
    readonly replica: Driver,
    readonly state: RoutingState,
  ) {}

  async init() {
    await this.replica.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const replica = await this.replicaConnection();
    if (replica) return new RoutedConnection(replica, true, this);
    return new RoutedConnection(await this.primary.acquireConnection(), false, this);
  }

  /** A replica connection when the replica is reachable and past the fence; otherwise undefined. */
  private async replicaConnection(): Promise<DatabaseConnection | undefined> {
    const { state } = this;
    if (!state.usable() || state.pending > 0) return undefined;
    let conn: DatabaseConnection;
    try {
      conn = await this.replica.acquireConnection();
    } catch (err) {
      if (!unreachable(err)) throw err;
      state.down(err);
      return undefined;
    }
    try {
      if (!state.met(state.replayed)) {
        // Asked before the read's own statement, so the read's snapshot is at least this far.
        const replayed = await firstLsn(conn, lsnBytes('pg_last_wal_replay_lsn()'));
        if (replayed !== undefined && replayed > state.replayed) state.replayed = replayed;
      }
      // Checked again after the round trip: a notification heard meanwhile raised the fence.
      if (state.met(state.replayed)) {
        state.up();
        return conn;
      }
    } catch (err) {
      if (!unreachable(err)) {
        await this.replica.releaseConnection(conn);
        throw err;
      }
      state.down(err);
    }
    await this.replica.releaseConnection(conn).catch(() => {});
    return undefined;
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    const c = conn as RoutedConnection;
    await (c.fromReplica ? this.replica : this.primary).releaseConnection(c.inner);
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings) {
    const c = conn as RoutedConnection;
    c.inTransaction = true;
    await (c.fromReplica ? this.replica : this.primary).beginTransaction(c.inner, settings);
  }

  async commitTransaction(conn: DatabaseConnection) {
    const c = conn as RoutedConnection;
    c.inTransaction = false;
    await (c.fromReplica ? this.replica : this.primary).commitTransaction(c.inner);
  }

  async rollbackTransaction(conn: DatabaseConnection) {
    const c = conn as RoutedConnection;
    c.inTransaction = false;
    await (c.fromReplica ? this.replica : this.primary).rollbackTransaction(c.inner);
  }

  async destroy() {
    // The Kysely over this driver is never destroyed on its own: ReplicaReads.close ends the replica's pool, and
    // the primary's belongs to its handle.
  }
}
