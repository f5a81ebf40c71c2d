import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import type { EndpointSecretRow } from './signing.js';

/**
 * Claiming deliveries, per endpoint: each endpoint is served on its own, so a slow or dead one holds only
 * its own slots (`settings.concurrency` attempts in flight, counted across all workers), and the events of
 * one resource go out one at a time, in commit order, while other resources of the endpoint proceed.
 */

/** Enabled endpoints with at least one delivery that is due and not leased (one statement). */
export async function dueEndpoints(db: Db): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    select e.id from webhook_endpoint e
     where e.enabled
       and exists (select 1 from webhook_delivery d
                    where d.endpoint_id = e.id and d.status = 'pending' and d.next_attempt_at <= now()
                      and (d.leased_until is null or d.leased_until <= now()))
     order by e.id`.execute(db);
  return rows.map((r) => r.id);
}

export interface ClaimedEndpoint extends EndpointSecretRow {
  url: string;
}

export interface ClaimedDelivery {
  id: string;
  eventId: string;
  /** The attempt number this claim starts (attempts after the claim). */
  attempt: number;
  /** The lease this claim holds; the outcome is written only while it is still this one. */
  leasedUntil: Date;
  /** The stored body: the exact bytes signed and sent on every attempt. */
  body: string;
}

export type ClaimResult =
  | { kind: 'claimed'; endpoint: ClaimedEndpoint; deliveries: ClaimedDelivery[] }
  /** Another worker is claiming for this endpoint right now, or the endpoint is gone or disabled. */
  | { kind: 'skipped' };

export interface ClaimRequest {
  endpointId: string;
  /** At most this many (the free slots of this process's lane). */
  want: number;
  /** In flight at once for the endpoint across all workers. */
  concurrency: number;
  /** Lease length: longer than one attempt's deadline, so a live worker never loses its lease. */
  leaseMs: number;
}

/**
 * In one short transaction: lock the endpoint row (FOR NO KEY UPDATE SKIP LOCKED: if another worker is claiming for it,
 * skip), require it enabled, and lease up to `min(want, concurrency - in flight)` due deliveries, oldest due
 * first (`claimLocked`), none of which has an earlier delivery of the same resource to this endpoint still
 * pending (that one goes first). Each claimed delivery gets `attempts + 1` and a lease; a worker killed
 * mid-attempt loses nothing: when its lease runs out the delivery is due again and is sent again with the
 * same `webhook-id`. Expired leases are not in flight.
 */
export async function claimDeliveries(db: Db, req: ClaimRequest): Promise<ClaimResult> {
  if (req.want <= 0) return { kind: 'skipped' };
  return withTransaction(db, async (tx) => {
    const endpoint = await lockEndpointForClaim(tx, req.endpointId);
    if (!endpoint?.enabled) return { kind: 'skipped' } as const;
    return { kind: 'claimed', endpoint, deliveries: await claimLocked(tx, req) } as const;
  });
}

/**
 * The endpoint row, locked for this transaction's claim; undefined when another worker is claiming for it
 * right now (SKIP LOCKED) or it no longer exists.
 */
export async function lockEndpointForClaim(tx: Tx, endpointId: string) {
  // NO KEY UPDATE, not UPDATE: it serialises claimers (and waits for nobody) but does not block the key-share
  // locks of foreign-key checks, so the fan-out can insert this endpoint's deliveries while a claim runs.
  return tx
    .selectFrom('webhook_endpoint')
    .select(['id', 'url', 'enabled', 'secret_sealed', 'previous_secret_sealed', 'previous_secret_expires_at'])
    .where('id', '=', endpointId)
    .forNoKeyUpdate()
    .skipLocked()
    .executeTakeFirst();
}

/**
 * How many due deliveries one claim looks at (oldest due first). Bounded, so a claim costs the same
 * whatever the backlog: the first due deliveries in due order are nearly all claimable (or parked, below).
 */
const CLAIM_WINDOW_MIN = 50;
const CLAIM_WINDOW_PER_SLOT = 5;

/**
 * The claim; the caller holds the endpoint's row lock (`lockEndpointForClaim`) and checked it is enabled.
 * Looks at the oldest due, unleased deliveries (due order: fresh ones in commit order, retries when
 * their time comes — so neither starves the other) and, for each, at its resource's head (the
 * lowest-sequence pending delivery of that resource to this endpoint, via webhook_delivery_resource_idx).
 * Only a head is claimable: one resource's events go out one at a time, in commit order. A delivery
 * waiting behind a head that waits for its own retry is parked until that time (its next_attempt_at moved
 * to the head's), so a failing resource's later events are not looked at again on every claim.
 * Returns the claimed deliveries in commit order.
 */
export async function claimLocked(tx: Tx, req: ClaimRequest): Promise<ClaimedDelivery[]> {
  // One statement (one round trip: a slot is busy until its outcome is written, so the claim's time bounds
  // an endpoint's throughput). Parked and claimed rows are never the same rows (a non-head vs a head).
  // Leases are whole milliseconds so the JavaScript Date read back compares equal when the outcome is written.
  const { rows } = await sql<{
    id: string;
    event_id: string;
    attempts: number;
    leased_until: Date;
    body: string;
    sequence: string;
  }>`
    with w as (
      select d.id, d.resource_id, d.next_attempt_at, d.sequence
        from webhook_delivery d
       where d.endpoint_id = ${req.endpointId} and d.status = 'pending' and d.next_attempt_at <= now()
         and (d.leased_until is null or d.leased_until <= now())
       order by d.next_attempt_at, d.sequence, d.id
       limit ${Math.max(CLAIM_WINDOW_MIN, req.want * CLAIM_WINDOW_PER_SLOT)}
    ), judged as (
      select w.id, w.next_attempt_at, w.sequence, h.id as head_id, h.next_attempt_at as head_next,
             coalesce(h.next_attempt_at > now() and (h.leased_until is null or h.leased_until <= now()), false)
               as head_waits
        from w
        left join lateral (
          select h.id, h.next_attempt_at, h.leased_until from webhook_delivery h
           where h.endpoint_id = ${req.endpointId} and h.resource_id = w.resource_id and h.status = 'pending'
           order by h.sequence, h.id
           limit 1) h on true
    ), parked as (
      update webhook_delivery f
         set next_attempt_at = j.head_next
        from judged j
       where f.id = j.id and j.head_id is distinct from j.id and j.head_waits and j.head_next > f.next_attempt_at
         and f.status = 'pending' and f.leased_until is null
      returning f.id
    ), in_flight as (
      select count(*)::int as n from webhook_delivery
       where endpoint_id = ${req.endpointId} and status = 'pending' and leased_until is not null
         and leased_until > now()
    ), picked as (
      select d.id from webhook_delivery d
        join judged j on j.id = d.id and j.head_id = d.id
       where d.status = 'pending' and (d.leased_until is null or d.leased_until <= now())
       order by j.next_attempt_at, j.sequence, d.id
       limit greatest(0, least(${req.want}::int, ${req.concurrency}::int - (select n from in_flight)))
       for update of d skip locked
    )
    update webhook_delivery d
       set leased_until = date_trunc('milliseconds', now() + ${req.leaseMs}::int * interval '1 millisecond'),
           attempts = d.attempts + 1,
           updated_at = now()
      from picked, webhook_event e
     where d.id = picked.id and e.id = d.event_id
    returning d.id, d.event_id, d.attempts, d.leased_until, e.body, d.sequence`.execute(tx);
  // Started in commit order (RETURNING has no order of its own).
  rows.sort((a, b) => Number(BigInt(a.sequence) - BigInt(b.sequence)) || (a.id < b.id ? -1 : 1));
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    attempt: r.attempts,
    leasedUntil: new Date(r.leased_until),
    body: r.body,
  }));
}

/**
 * Analyzes webhook_delivery when its planner statistics lag well behind its content (more than 10 % of it
 * changed since the last ANALYZE). A fresh or fast-growing queue otherwise keeps the statistics of an
 * empty table until autovacuum's next visit (a minute or more), and the claim's plans, chosen for a
 * table of one row, then read the whole backlog. Returns whether it analyzed.
 */
export async function refreshDeliveryStatistics(db: Db): Promise<boolean> {
  const { rows } = await sql<{ stale: boolean }>`
    select coalesce((select n_mod_since_analyze > greatest(500, 0.1 * n_live_tup)
                       from pg_stat_user_tables where relname = 'webhook_delivery'), false) as stale`.execute(db);
  if (!rows[0]?.stale) return false;
  await sql`analyze webhook_delivery`.execute(db);
  return true;
}
