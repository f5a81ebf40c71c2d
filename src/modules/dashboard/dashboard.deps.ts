import type { Db, Queryable } from '../../platform/db/database.js';

export interface DashboardDeps {
  db: Db;
  /** The summary's reads: a streaming replica's readDb (DATABASE_REPLICA_URL), else `db`. */
  readDb: Db;
  /** Makes readDb reads see what the primary has committed now (the caller's own changes); no-op without a replica. */
  fenceReads: () => Promise<void>;
  /** The shop's IANA time zone (`SHOP_TIMEZONE`): where "today" and "yesterday" begin. */
  timeZone: string;
  /**
   * The currencies the shop sells in (its regions'), so a day without orders still shows each at zero. The app
   * reads them through checkout's public API: the dashboard does not depend on checkout.
   */
  shopCurrencies: (db: Queryable) => Promise<string[]>;
  /** The clock (tests move it); default `new Date()`. */
  now?: (() => Date) | undefined;
  /** How often the shared change poller reads the outbox while a stream is open (ms); default 500. */
  streamPollMs?: number | undefined;
  /** Stream heartbeat interval (ms); default 15000. */
  streamHeartbeatMs?: number | undefined;
}
