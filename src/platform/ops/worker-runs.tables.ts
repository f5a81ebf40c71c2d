import type { ColumnType } from 'kysely';

export interface WorkerRunTable {
  /** The loop (`outbox-relay`, `hold-expiry` …). */
  name: string;
  /** The process: `host:pid`. */
  node: string;
  /** How often the loop is meant to run, so a reader can tell a late loop from an idle one. */
  interval_ms: number;
  started_at: Date;
  finished_at: Date;
  duration_ms: number;
  last_ok_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  rounds: ColumnType<string, number | undefined, number>;
  failures: ColumnType<string, number | undefined, number>;
}

export interface WorkerRunTables {
  worker_run: WorkerRunTable;
}

declare module '../db/database.js' {
  interface Database extends WorkerRunTables {}
}
