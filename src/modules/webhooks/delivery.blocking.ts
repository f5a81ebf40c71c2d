import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.js';

/**
 * Followers. A delivery with an earlier pending delivery of the same (endpoint, resource) cannot go yet, so it
 * is kept `blocked`: out of the due index, which then holds only heads, and a claim finds claimable deliveries
 * directly however long the queue behind them is (a dead endpoint piles up thousands). The rule every writer
 * keeps: the lowest-sequence pending delivery of a pair is unblocked; the others are blocked unless an admin
 * redelivered one (the claim's check for an earlier pending delivery still keeps the order — blocking is an
 * optimisation, that check is the guarantee).
 *
 * The race (read committed): the fan-out decides "blocked" because it sees head H pending while a record step
 * is finishing H and does not see the new row yet, so nobody would unblock it. Hence `lockPairHeads`: the
 * fan-out share-locks the current lowest pending delivery of each pair before it inserts; the record step's
 * update of H then waits for the fan-out's commit (and its unblock, a later statement, sees the new row), or
 * the fan-out waits for the record's commit and looks again (H no longer pending → the next one, or none:
 * the new row is due now). `unblockOrphans` repairs whatever slipped through, periodically.
 */

export interface Pair {
  endpointId: string;
  resourceId: string;
}

function pairArrays(pairs: readonly Pair[]) {
  const seen = new Map<string, Pair>();
  for (const p of pairs) seen.set(`${p.endpointId}\u0000${p.resourceId}`, p);
  const unique = [...seen.values()];
  return sql`unnest(${unique.map((p) => p.endpointId)}::text[], ${unique.map((p) => p.resourceId)}::text[])`;
}

/**
 * Share-locks the lowest pending delivery of each pair (in id order, as the record step locks its rows, so
 * the two never deadlock). A head that finished while we waited for its lock is skipped by the lock's
 * re-check; then the next one may be the head now, so we look again for those pairs (a new statement sees
 * the finished one) until every pair's current head is held or it has none.
 */
export async function lockPairHeads(tx: Tx, pairs: readonly Pair[]): Promise<void> {
  let todo = pairs;
  for (let round = 0; todo.length > 0 && round < 20; round++) {
    const { rows } = await sql<{ endpoint_id: string; resource_id: string; id: string; locked: boolean }>`
      with heads as (
        select h.id, p.endpoint_id, p.resource_id
          from ${pairArrays(todo)} as p(endpoint_id, resource_id)
          cross join lateral (
            select h.id from webhook_delivery h
             where h.endpoint_id = p.endpoint_id and h.resource_id = p.resource_id and h.status = 'pending'
             order by h.sequence, h.id limit 1) h
      ), locked as (
        select d.id from webhook_delivery d
         where d.id in (select id from heads) and d.status = 'pending'
         order by d.id
           for share of d
      )
      select heads.endpoint_id, heads.resource_id, heads.id, (locked.id is not null) as locked
        from heads left join locked on locked.id = heads.id`.execute(tx);
    todo = rows.filter((r) => !r.locked).map((r) => ({ endpointId: r.endpoint_id, resourceId: r.resource_id }));
  }
}

/**
 * Unblocks the lowest pending delivery of each pair (run after deliveries finished: the next one goes).
 * A statement of its own, after the one that finished them: it sees a follower a concurrent fan-out
 * committed meanwhile (the fan-out held the finished head's lock until then).
 */
export async function unblockNext(tx: Tx, pairs: readonly Pair[]): Promise<number> {
  if (pairs.length === 0) return 0;
  const res = await sql`
    update webhook_delivery d
       set blocked = false, updated_at = now()
      from ${pairArrays(pairs)} as p(endpoint_id, resource_id)
      cross join lateral (
        select h.id from webhook_delivery h
         where h.endpoint_id = p.endpoint_id and h.resource_id = p.resource_id and h.status = 'pending'
         order by h.sequence, h.id limit 1) h
     where d.id = h.id and d.blocked`.execute(tx);
  return Number(res.numAffectedRows ?? 0n);
}

/**
 * After deliveries were put back in the queue (replay): of each pair's pending deliveries not in flight,
 * the lowest is unblocked and the others blocked. Call `lockPairHeads` first (same race as the fan-out).
 */
export async function settlePairs(tx: Tx, pairs: readonly Pair[]): Promise<void> {
  if (pairs.length === 0) return;
  await sql`
    update webhook_delivery d
       set blocked = not x.lowest, updated_at = now()
      from (
        select r.id, row_number() over (partition by r.endpoint_id, r.resource_id order by r.sequence, r.id) = 1
                 as lowest
          from webhook_delivery r
         where (r.endpoint_id, r.resource_id) in (select * from ${pairArrays(pairs)} as p(endpoint_id, resource_id))
           and r.status = 'pending') x
     where d.id = x.id and d.blocked = x.lowest and (d.leased_until is null or d.leased_until <= now())`.execute(tx);
}

/**
 * The periodic repair: a pair whose lowest pending delivery is blocked would wait forever (an unblock that
 * slipped through a race, or a crash between statements of another kind): unblock it. One pass over the
 * pending-by-resource index. Returns how many were unblocked.
 */
export async function unblockOrphans(db: Db): Promise<number> {
  const res = await sql`
    update webhook_delivery d
       set blocked = false, updated_at = now()
      from (select distinct on (endpoint_id, resource_id) id, blocked from webhook_delivery
             where status = 'pending'
             order by endpoint_id, resource_id, sequence, id) h
     where h.blocked and d.id = h.id and d.status = 'pending' and d.blocked`.execute(db);
  return Number(res.numAffectedRows ?? 0n);
}
