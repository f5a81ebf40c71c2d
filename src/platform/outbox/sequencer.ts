import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { withTransaction } from '../db/transaction.js';
import './outbox.tables.js';

/** One sequencer at a time, across every process on the database (transaction-scoped, so a crash frees it). */
const SEQUENCER_LOCK = sql`hashtext('backroom.outbox.sequencer')`;

/**
 * Gives committed events their commit-order `position` (migration 0027 explains why ids cannot
 * serve). Each batch is one transaction: take the advisory lock without waiting (another sequencer
 * holds it → return what was done so far; that one finishes the work), then one statement numbers
 * up to `batchSize` unsequenced events in id order. Because only one sequencer runs at a time and
 * each starts its statement after the previous one committed (READ COMMITTED: a fresh snapshot per
 * statement), positions become visible in increasing order and an event whose transaction commits
 * later always gets a larger position — a consumer reading `position > cursor` never skips one.
 * Rows are locked in id order, like the relay's writes, so the two do not deadlock.
 * Works on PGlite too (one session: the lock is always free there). Returns how many were sequenced.
 */
export async function sequenceEvents(db: Db, opts: { batchSize?: number } = {}): Promise<number> {
  const batchSize = opts.batchSize ?? 1000;
  // Idle callers (every poll of the worker, every events API request) pay one indexed read, no transaction.
  // `order by id` walks the partial unsequenced index (empty: one page) whatever the statistics say; without it, right
  // after a burst (statistics taken while positions were null) the planner chose a scan of the whole table.
  const pending = await sql`select 1 from outbox_event where position is null order by id limit 1`.execute(db);
  if (pending.rows.length === 0) return 0;
  let total = 0;
  for (;;) {
    const done = await withTransaction(db, async (tx) => {
      const lock = await sql<{
        locked: boolean;
      }>`select pg_try_advisory_xact_lock(${SEQUENCER_LOCK}) as locked`.execute(tx);
      if (!lock.rows[0]?.locked) return -1;
      // nextval in the projection of the ordered sub-select numbers the rows in id order.
      const res = await sql`
        update outbox_event e set position = n.pos, sequenced_at = now()
          from (select b.id, nextval('outbox_event_position_seq') as pos
                  from (select id from outbox_event where position is null
                         order by id limit ${batchSize} for update) b) n
         where e.id = n.id`.execute(tx);
      return Number(res.numAffectedRows ?? 0n);
    });
    if (done < 0) return total;
    total += done;
    if (done < batchSize) return total;
  }
}
