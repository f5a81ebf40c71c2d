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
 * In one short transaction: lock the endpoint row (SKIP LOCKED: if another worker is claiming for it,
 * skip), require it enabled, and lease up to `min(want, concurrency - in flight)` due deliveries in
 * (sequence, id) order, none of which has an earlier delivery of the same resource to this endpoint still
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
  return tx
    .selectFrom('webhook_endpoint')
    .select(['id', 'url', 'enabled', 'secret_sealed', 'previous_secret_sealed', 'previous_secret_expires_at'])
    .where('id', '=', endpointId)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

/** The claim statement; the caller holds the endpoint's row lock (`lockEndpointForClaim`) and checked it is enabled. */
export async function claimLocked(tx: Tx, req: ClaimRequest): Promise<ClaimedDelivery[]> {
  // Leases are whole milliseconds so the JavaScript Date read back compares equal when the outcome is written.
  const { rows } = await sql<{
    id: string;
    event_id: string;
    attempts: number;
    leased_until: Date;
    body: string;
    sequence: string;
  }>`
    with in_flight as (
      select count(*)::int as n from webhook_delivery
       where endpoint_id = ${req.endpointId} and status = 'pending' and leased_until > now()
    ), picked as (
      select d.id from webhook_delivery d
       where d.endpoint_id = ${req.endpointId} and d.status = 'pending' and d.next_attempt_at <= now()
         and (d.leased_until is null or d.leased_until <= now())
         and not exists (select 1 from webhook_delivery p
                          where p.endpoint_id = d.endpoint_id and p.resource_id = d.resource_id
                            and p.status = 'pending' and p.sequence < d.sequence)
       order by d.sequence, d.id
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
