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
                    where d.endpoint_id = e.id and d.status = 'pending' and not d.blocked and d.next_attempt_at <= now()
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
  /** Commit-order position. */
  sequence: string;
  /** Claimed after a gap in its chain: not to be sent, handed back at once. */
  broken?: boolean;
}

export type ClaimResult =
  | { kind: 'claimed'; endpoint: ClaimedEndpoint; chains: ClaimedDelivery[][]; deliveries: ClaimedDelivery[] }
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
  /** Deliveries per slot: a head and up to this many minus one of its resource's next ones (default 1). */
  chainLength?: number;
  /** Extra lease per position in a chain (the attempt deadline: the ones before it may each take that long). */
  chainStepMs?: number;
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
    const chains = await claimLocked(tx, req);
    return { kind: 'claimed', endpoint, chains, deliveries: chains.flat() } as const;
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
 * whatever the backlog. Followers are blocked (out of the due index), so nearly all of these are heads;
 * an unblocked non-head (an admin redelivered a later one) is skipped by the check for an earlier pending one.
 */
const CLAIM_WINDOW_MIN = 50;
const CLAIM_WINDOW_PER_SLOT = 5;

/**
 * The claim; the caller holds the endpoint's row lock (`lockEndpointForClaim`) and checked it is enabled.
 * Looks at the oldest due, unleased, unblocked deliveries (due order: fresh ones in commit order, retries
 * when their time comes — so neither starves the other) and claims those that are their resource's head
 * (no earlier delivery of the resource to this endpoint pending): one resource's events go out one at a
 * time, in commit order. One claim per free slot (`min(want, concurrency - in flight)`), and each head
 * comes with its chain: up to `chainLength - 1` of the next (blocked, unleased) deliveries of its resource,
 * which the slot sends one after another, each after the previous got a 2xx — so one slot is still one
 * request in flight, but a busy resource does not pay a record-and-claim turn per event. A chain member's
 * lease covers the attempts before it (`leaseMs + position × chainStepMs`). In flight = leased unblocked
 * deliveries (a chain's members are blocked until the one before them is recorded).
 * Returns the claimed chains, each in commit order, and the chains in commit order of their heads.
 */
export async function claimLocked(tx: Tx, req: ClaimRequest): Promise<ClaimedDelivery[][]> {
  // One statement (one round trip: a slot is busy until its outcome is written, so the claim's time bounds
  // an endpoint's throughput). Leases are whole milliseconds so the JavaScript Date read back compares equal
  // when the outcome is written.
  const { rows } = await claimStatement(req).execute(tx);
  const chains = new Map<string, typeof rows>();
  for (const r of rows) chains.set(r.head_id, [...(chains.get(r.head_id) ?? []), r]);
  const out: ClaimedDelivery[][] = [];
  for (const members of chains.values()) {
    members.sort((a, b) => a.pos - b.pos);
    // A member the update's re-check dropped (changed meanwhile) breaks the chain: the ones after it are
    // not sent by this claim (the caller hands them back), so nothing overtakes.
    const run = members.findIndex((m, i) => m.pos !== i);
    out.push(
      members.map((r, i) => ({
        id: r.id,
        eventId: r.event_id,
        attempt: r.attempts,
        leasedUntil: new Date(r.leased_until),
        body: r.body,
        sequence: r.sequence,
        broken: run !== -1 && i >= run,
      })),
    );
  }
  // Started in commit order of their heads (RETURNING has no order of its own).
  out.sort((a, b) => Number(BigInt(a[0]?.sequence ?? 0) - BigInt(b[0]?.sequence ?? 0)));
  return out;
}

/** The claim's one statement (exported for a test that explains it on a big backlog). */
export function claimStatement(req: ClaimRequest) {
  const chainLength = Math.max(1, req.chainLength ?? 1);
  return sql<{
    id: string;
    event_id: string;
    attempts: number;
    leased_until: Date;
    body: string;
    sequence: string;
    head_id: string;
    pos: number;
  }>`
    with w as (
      select d.id
        from webhook_delivery d
       where d.endpoint_id = ${req.endpointId} and d.status = 'pending' and not d.blocked
         and d.next_attempt_at <= now() and (d.leased_until is null or d.leased_until <= now())
       order by d.next_attempt_at, d.sequence, d.id
       limit ${Math.max(CLAIM_WINDOW_MIN, req.want * CLAIM_WINDOW_PER_SLOT)}
    ), in_flight as (
      select count(*)::int as n from webhook_delivery
       where endpoint_id = ${req.endpointId} and status = 'pending' and not blocked and leased_until is not null
         and leased_until > now()
    ), heads as (
      select d.id, d.resource_id, d.sequence, d.next_attempt_at
        from webhook_delivery d
       where d.id in (select id from w) and d.status = 'pending' and not d.blocked
         and (d.leased_until is null or d.leased_until <= now())
         and not exists (select 1 from webhook_delivery p
                          where p.endpoint_id = ${req.endpointId} and p.resource_id = d.resource_id
                            and p.status = 'pending' and p.sequence < d.sequence)
       order by d.next_attempt_at, d.sequence, d.id
       limit greatest(0, least(${req.want}::int, ${req.concurrency}::int - (select n from in_flight)))
         for update of d skip locked
    ), followers as (
      select h.id as head_id, f.id, f.pos, f.ok
        from heads h
        cross join lateral (
          select n.id, n.blocked and (n.leased_until is null or n.leased_until <= now()) as ok,
                 row_number() over (order by n.sequence, n.id)::int as pos
            from webhook_delivery n
           where n.endpoint_id = ${req.endpointId} and n.resource_id = h.resource_id and n.status = 'pending'
             and n.sequence > h.sequence
           order by n.sequence, n.id
           limit ${chainLength - 1}) f
    ), chain as (
      select h.id as head_id, h.id, 0 as pos from heads h
      union all
      -- only the unbroken run after the head: a member after one that is leased or unblocked would go out of order
      select f.head_id, f.id, f.pos from followers f
       where f.ok and not exists (select 1 from followers g where g.head_id = f.head_id and g.pos < f.pos and not g.ok)
    )
    update webhook_delivery d
       set leased_until = date_trunc('milliseconds',
             now() + (${req.leaseMs}::int + c.pos * ${req.chainStepMs ?? 0}::int) * interval '1 millisecond'),
           attempts = d.attempts + 1,
           updated_at = now()
      from chain c, webhook_event e
     where d.id = c.id and e.id = d.event_id and d.status = 'pending'
       and (c.pos = 0 or (d.blocked and (d.leased_until is null or d.leased_until <= now())))
    returning d.id, d.event_id, d.attempts, d.leased_until, e.body, d.sequence, c.head_id, c.pos`;
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
