import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/database.js';

/**
 * Helpers for platform tests that register probe routes: a scratch table a probe route writes to
 * (so a test can assert a side effect happened once, or not at all) and a gate to hold a request
 * in flight until the test lets it go.
 */

/** Creates `name (id text primary key, name text unique not null)` in the test's own database. */
export async function createScratchTable(db: Db, name: string): Promise<void> {
  await sql`create table ${sql.table(name)} (id text primary key, name text not null unique)`.execute(db);
}

export async function rowCount(db: Db, table: string): Promise<number> {
  const res = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
  return res.rows[0]?.n ?? 0;
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A gate probe handlers wait at, so a test can hold requests in flight: `arrived(n)` resolves once
 * n requests wait, `release(i)` lets the i-th (in arrival order) through, `open()` lets all through.
 */
export function gate() {
  let waiters: Deferred[] = [];
  let arrivals: { n: number; done: Deferred }[] = [];
  let isOpen = false;
  const notify = () => {
    arrivals = arrivals.filter((a) => {
      if (waiters.length < a.n) return true;
      a.done.resolve();
      return false;
    });
  };
  return {
    arrived(n = 1): Promise<void> {
      const done = deferred();
      arrivals.push({ n, done });
      notify();
      return done.promise;
    },
    get entered(): Promise<void> {
      return this.arrived(1);
    },
    async pass(): Promise<void> {
      if (isOpen) return;
      const w = deferred();
      waiters.push(w);
      notify();
      await w.promise;
    },
    release(i: number) {
      waiters[i]?.resolve();
    },
    open() {
      isOpen = true;
      for (const w of waiters) w.resolve();
    },
    /** Closes it again for the next test. */
    reset() {
      isOpen = false;
      waiters = [];
      arrivals = [];
    },
  };
}
