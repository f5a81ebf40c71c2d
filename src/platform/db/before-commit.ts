import type { Queryable, Tx } from './database.js';

/**
 * Writes a transaction makes last, just before its COMMIT, gathered by kind: many calls that each
 * add a row (an outbox event here, another there) become one multi-row statement. A checkout's
 * completion appends four events from three modules; sent as they come that is four round trips
 * inside the order's transaction, holding its row locks for each.
 *
 * Only for rows nothing in the same transaction reads back, or whose readers call
 * {@link flushQueuedWrites} first. A transaction not opened by
 * `withTransaction` has no queue: the write is made at once, as before.
 */
type Queue = Map<string, { rows: unknown[]; flush: (tx: Tx, rows: readonly unknown[]) => Promise<void> }>;

const queues = new WeakMap<Tx, Queue>();

/** `withTransaction` calls this when it opens `tx`. */
export function openBeforeCommit(tx: Tx): void {
  queues.set(tx, new Map());
}

/** `withTransaction` calls this after its function returned, before COMMIT: every kind in first-use order. */
export async function flushBeforeCommit(tx: Tx): Promise<void> {
  const queue = queues.get(tx);
  if (!queue) return;
  queues.delete(tx);
  for (const { rows, flush } of queue.values()) await flush(tx, rows);
}

/**
 * Queues `row` of `kind` for the write `flush` makes before `tx` commits (or writes it now when `tx`
 * has no queue). One `flush` per kind: the first caller's is used for every row of that kind.
 */
export async function writeBeforeCommit<R>(
  tx: Tx,
  kind: string,
  row: R,
  flush: (tx: Tx, rows: readonly R[]) => Promise<void>,
): Promise<void> {
  const queue = queues.get(tx);
  if (!queue) return flush(tx, [row]);
  const pending = queue.get(kind);
  if (pending) pending.rows.push(row);
  else queue.set(kind, { rows: [row], flush: flush as (tx: Tx, rows: readonly unknown[]) => Promise<void> });
}

/**
 * Writes the rows of `kind` queued on `db` now, so that a read in the same transaction sees them (the reader of a
 * queued kind calls this first). Nothing to do for a connection that is not such a transaction.
 */
export async function flushQueuedWrites(db: Queryable, kind: string): Promise<void> {
  const queue = queues.get(db as Tx);
  const pending = queue?.get(kind);
  if (!queue || !pending) return;
  queue.delete(kind);
  await pending.flush(db as Tx, pending.rows);
}
