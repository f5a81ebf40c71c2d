import { sql } from 'kysely';
import { systemActor } from '../../platform/audit/audit.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { orderStatus, pendingOrdersOfCarts } from '../orders/index.js';
import type { CheckoutDeps } from './completion.deps.js';
import { abandonCompletion, finishCompletion } from './completion.finish.js';

export interface CompletionSweep {
  claimed: number;
  placed: number;
  cancelled: number;
  /** Still waiting for the gateway (or the buyer's 3-D Secure): tried again on a later sweep. */
  waiting: number;
}

/**
 * Finishes completions that stopped between phase one and three — the process crashed, or the gateway did not
 * answer and the buyer never retried — so no stock stays reserved for an order nobody will pay. Claims carts
 * `completing` for longer than `graceSeconds` (FOR UPDATE SKIP LOCKED; the claim moves `completing_since`, a lease, so
 * two workers never take the same cart), then repeats phases two and three with the original idempotency key.
 * Orders older than `abandonAfterSeconds` whose payment still has no answer are cancelled and their stock released.
 */
export async function finishStaleCompletions(
  deps: CheckoutDeps,
  opts: { graceSeconds?: number; abandonAfterSeconds?: number; limit?: number } = {},
): Promise<CompletionSweep> {
  const grace = opts.graceSeconds ?? 60;
  const abandonAfter = opts.abandonAfterSeconds ?? 3600;
  const claimed = await withTransaction(deps.db, async (tx) => {
    const res = await sql<{ id: string }>`
      with due as (
        select id from cart
         where status = 'completing' and completing_since <= now() - make_interval(secs => ${grace})
         order by completing_since, id
         limit ${opts.limit ?? 20}
           for update skip locked
      )
      update cart c set completing_since = now() from due where c.id = due.id returning c.id`.execute(tx);
    return res.rows.map((r) => r.id);
  });
  const sweep: CompletionSweep = { claimed: claimed.length, placed: 0, cancelled: 0, waiting: 0 };
  for (const c of await pendingOrdersOfCarts(deps.db, claimed, abandonAfter)) {
    const settled = c.abandon
      ? await abandonCompletion(deps, c.orderId, systemActor)
      : await finishCompletion(deps, c.orderId, systemActor);
    const status = await orderStatus(deps.db, settled.orderId);
    if (status === 'cancelled') sweep.cancelled += 1;
    else if (status === 'pending_payment') sweep.waiting += 1;
    else sweep.placed += 1;
  }
  return sweep;
}
