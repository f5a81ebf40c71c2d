import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { errorText } from '../errors.js';
import type { Logger } from '../logger.js';
import './worker-runs.tables.js';

/** A loop's rounds are written at most this often (a 1-second loop must not write every second). */
const DEFAULT_WRITE_EVERY_MS = 10_000;
const MAX_ERROR_LENGTH = 500;

/** What one round of a background loop did. */
export interface RoundOutcome {
  startedAt: Date;
  finishedAt: Date;
  error?: unknown;
}

interface LoopState {
  intervalMs: number;
  rounds: number;
  failures: number;
  last: RoundOutcome | undefined;
  lastOkAt: Date | undefined;
  lastError: { text: string; at: Date } | undefined;
  writtenAt: number;
  /** Whether the last written round failed: a change is written at once. */
  writtenFailing: boolean | undefined;
}

/**
 * Records the rounds of a process's background loops in `worker_run` (one row per loop and process), for the System
 * page. Throttled: a loop's row is written on its first round, when it starts failing or recovers, and otherwise at
 * most every `writeEveryMs`. Writes never fail a loop: the database being down is exactly when the loops fail, so a
 * failed write is logged (once a minute at most) and the next round tries again.
 */
export interface WorkerRuns {
  /** Declares a loop and how often it runs (before its first round). */
  loop(name: string, intervalMs: number): void;
  /** Records a finished round. */
  record(name: string, outcome: RoundOutcome): void;
  /** Runs `fn` as one round of `name`, recording how it ended; its result or error passes through. */
  round<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Writes what is not written yet and waits for writes in flight (tests). */
  flush(): Promise<void>;
  /**
   * Graceful shutdown: this process's rows go, so the page lists running processes (and crashed ones, whose rows
   * stay and show as late). Nothing is recorded after it.
   */
  stop(): Promise<void>;
}

export function workerRuns(
  db: Db,
  logger: Pick<Logger, 'warn'>,
  opts: { node?: string; writeEveryMs?: number } = {},
): WorkerRuns {
  const node = opts.node ?? `${hostname()}:${process.pid}`;
  const writeEveryMs = opts.writeEveryMs ?? DEFAULT_WRITE_EVERY_MS;
  const loops = new Map<string, LoopState>();
  let writing: Promise<void> = Promise.resolve();
  let warnedAt = 0;
  let stopped = false;

  const write = (name: string, s: LoopState) => {
    const last = s.last;
    if (!last) return;
    const rounds = s.rounds;
    const failures = s.failures;
    s.rounds = 0;
    s.failures = 0;
    s.writtenAt = Date.now();
    s.writtenFailing = last.error !== undefined;
    const row = {
      name,
      node,
      interval_ms: s.intervalMs,
      started_at: last.startedAt,
      finished_at: last.finishedAt,
      duration_ms: Math.max(0, last.finishedAt.getTime() - last.startedAt.getTime()),
      last_ok_at: s.lastOkAt ?? null,
      last_error: s.lastError?.text ?? null,
      last_error_at: s.lastError?.at ?? null,
      rounds,
      failures,
    };
    writing = writing.then(async () => {
      try {
        await db
          .insertInto('worker_run')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['name', 'node']).doUpdateSet({
              interval_ms: row.interval_ms,
              started_at: row.started_at,
              finished_at: row.finished_at,
              duration_ms: row.duration_ms,
              last_ok_at: sql`coalesce(excluded.last_ok_at, worker_run.last_ok_at)`,
              last_error: sql`coalesce(excluded.last_error, worker_run.last_error)`,
              last_error_at: sql`coalesce(excluded.last_error_at, worker_run.last_error_at)`,
              rounds: sql`worker_run.rounds + excluded.rounds`,
              failures: sql`worker_run.failures + excluded.failures`,
            }),
          )
          .execute();
      } catch (err) {
        // Not written: count these rounds again next time.
        s.rounds += rounds;
        s.failures += failures;
        s.writtenFailing = undefined;
        if (Date.now() - warnedAt > 60_000) {
          warnedAt = Date.now();
          logger.warn({ err }, 'worker runs: could not record a round; will retry');
        }
      }
    });
  };

  const stateOf = (name: string): LoopState => {
    let s = loops.get(name);
    if (!s) {
      s = {
        intervalMs: 1000,
        rounds: 0,
        failures: 0,
        last: undefined,
        lastOkAt: undefined,
        lastError: undefined,
        writtenAt: 0,
        writtenFailing: undefined,
      };
      loops.set(name, s);
    }
    return s;
  };

  const record = (name: string, outcome: RoundOutcome) => {
    if (stopped) return;
    const s = stateOf(name);
    s.rounds++;
    s.last = outcome;
    const failing = outcome.error !== undefined;
    if (failing) {
      s.failures++;
      s.lastError = { text: errorText(outcome.error, MAX_ERROR_LENGTH), at: outcome.finishedAt };
    } else s.lastOkAt = outcome.finishedAt;
    if (s.writtenFailing !== failing || Date.now() - s.writtenAt >= writeEveryMs) write(name, s);
  };

  return {
    loop(name, intervalMs) {
      stateOf(name).intervalMs = Math.max(1, Math.round(intervalMs));
    },
    record,
    async round(name, fn) {
      const startedAt = new Date();
      try {
        const result = await fn();
        record(name, { startedAt, finishedAt: new Date() });
        return result;
      } catch (error) {
        record(name, { startedAt, finishedAt: new Date(), error: error ?? 'unknown error' });
        throw error;
      }
    },
    async flush() {
      for (const [name, s] of loops) if (s.rounds > 0) write(name, s);
      await writing;
    },
    async stop() {
      stopped = true;
      await writing;
      try {
        await db.deleteFrom('worker_run').where('node', '=', node).execute();
      } catch (err) {
        logger.warn({ err }, "worker runs: could not remove this process's rows");
      }
    },
  };
}

/** Rows of processes gone for longer than `days` (a restarted node has a new pid, so a new row). */
export async function pruneWorkerRuns(db: Db, days: number): Promise<number> {
  const res = await db
    .deleteFrom('worker_run')
    .where('finished_at', '<', sql<Date>`now() - make_interval(days => ${days})`)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
