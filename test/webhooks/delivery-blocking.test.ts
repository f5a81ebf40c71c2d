import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lockPairHeads, unblockOrphans } from '../../src/modules/webhooks/delivery.blocking.js';
import {
  type ClaimedDelivery,
  type ClaimRequest,
  claimDeliveries,
  claimStatement,
} from '../../src/modules/webhooks/delivery.claim.js';
import type { AttemptOutcome } from '../../src/modules/webhooks/delivery.http.js';
import { recordAttempts, recordAttemptsIn } from '../../src/modules/webhooks/delivery.record.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/modules/webhooks/delivery.worker.js';
import { insertDeliveries } from '../../src/modules/webhooks/fanout.sql.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { newId } from '../../src/platform/ids.js';
import { usingPostgres } from '../support/db.js';
import { deferred } from '../support/probes.js';
import {
  type AddedEvent,
  addEndpoint,
  addEvent,
  createHarness,
  deliveryOf,
  type Harness,
  noFeed,
  Receiver,
  waitFor,
} from './delivery.support.js';

/**
 * Followers (a later delivery of a resource whose earlier one is pending) are kept blocked, out of the due
 * index, and unblocked one at a time as the one before them finishes; a slot sends a chain (a head and the
 * next ones of its resource) and hands back the rest at the first failure; the claim's cost does not grow
 * with the backlog behind the heads.
 */

const ok = (): AttemptOutcome => ({
  startedAt: new Date(),
  durationMs: 1,
  statusCode: 200,
  responseExcerpt: 'ok',
  error: null,
  delivered: true,
  gone: false,
});
const failed = (): AttemptOutcome => ({
  startedAt: new Date(),
  durationMs: 1,
  statusCode: 503,
  responseExcerpt: '',
  error: 'HTTP 503',
  delivered: false,
  gone: false,
});

describe('webhook delivery: blocked followers, chains, repair', () => {
  let h: Harness;
  const receivers: Receiver[] = [];
  const workers: WebhookWorker[] = [];

  beforeAll(async () => {
    h = await createHarness({ settings: { concurrency: 2 } });
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await h.close();
  });

  /** Events of `resourceIds` (in this order, one batch) fanned out to the endpoint as the fan-out does it. */
  async function fanned(endpointId: string, resourceIds: readonly string[]): Promise<AddedEvent[]> {
    const events: AddedEvent[] = [];
    for (const resourceId of resourceIds) events.push(await addEvent(h, [], { resourceId }));
    const rows = events.map((e, i) => ({
      id: newId('webhookDelivery'),
      endpointId,
      eventId: e.eventId,
      eventType: 'order.placed',
      resourceId: resourceIds[i] as string,
      sequence: String(e.sequence),
    }));
    await withTransaction(h.db.db, async (tx) => {
      await lockPairHeads(tx, rows);
      await insertDeliveries(tx, rows);
    });
    return events;
  }

  const blockedOf = async (endpointId: string, events: readonly AddedEvent[]) =>
    Promise.all(events.map(async (e) => (await deliveryOf(h, endpointId, e.eventId)).blocked));

  const claim = async (endpointId: string, o: Partial<ClaimRequest> = {}) => {
    const r = await claimDeliveries(h.db.db, { endpointId, want: 10, concurrency: 10, leaseMs: 60_000, ...o });
    if (r.kind !== 'claimed') throw new Error('expected a claim');
    return r.chains;
  };
  const eventsOf = (chains: ClaimedDelivery[][]) => chains.map((c) => c.map((d) => d.eventId));

  it('inserts followers blocked and unblocks them in order, one as each head finishes', async () => {
    const ep = await addEndpoint(h, 'http://127.0.0.1:9/never');
    const first = await fanned(ep.id, ['ord_A', 'ord_A', 'ord_B']);
    const later = await fanned(ep.id, ['ord_A', 'ord_A']); // behind a pending one, and behind one in its own batch
    const [a1, a2, b1] = first as [AddedEvent, AddedEvent, AddedEvent];
    const [a3, a4] = later as [AddedEvent, AddedEvent];
    expect(await blockedOf(ep.id, [a1, a2, b1, a3, a4])).toEqual([false, true, false, true, true]);

    const c1 = await claim(ep.id);
    expect(eventsOf(c1)).toEqual([[a1.eventId], [b1.eventId]]); // heads only
    await recordAttempts(h.deps, ep.id, [{ delivery: c1[0]![0]!, outcome: ok(), retryInMs: null }]);
    expect(await blockedOf(ep.id, [a2, a3, a4])).toEqual([false, true, true]);

    const c2 = await claim(ep.id);
    expect(eventsOf(c2)).toEqual([[a2.eventId]]); // b1 is still in flight
    // a2 gives up (last attempt): the next one goes anyway
    await recordAttempts(h.deps, ep.id, [{ delivery: c2[0]![0]!, outcome: failed(), retryInMs: null }]);
    expect((await deliveryOf(h, ep.id, a2.eventId)).status).toBe('failed');
    expect(await blockedOf(ep.id, [a3, a4])).toEqual([false, true]);
    expect(eventsOf(await claim(ep.id))).toEqual([[a3.eventId]]);
  });

  it('claims a chain per slot; a failure in it is recorded and the rest handed back unsent, to go later in order', async () => {
    const ep = await addEndpoint(h, 'http://127.0.0.1:9/never');
    const a = await fanned(ep.id, ['ord_C', 'ord_C', 'ord_C', 'ord_C']);
    const [other] = await fanned(ep.id, ['ord_D']);
    const [chain] = await claim(ep.id, { want: 1, chainLength: 4, chainStepMs: 1000 });
    expect(chain?.map((d) => d.eventId)).toEqual(a.map((e) => e.eventId));
    expect(chain?.map((d) => d.attempt)).toEqual([1, 1, 1, 1]);
    // each member's lease covers the attempts before it
    const leases = (chain ?? []).map((d) => d.leasedUntil.getTime());
    expect(leases).toEqual([...leases].sort((x, y) => x - y));
    expect(new Set(leases).size).toBe(4);
    // a chain is one request in flight: with 2 slots, one more head can go, then none
    expect(eventsOf(await claim(ep.id, { concurrency: 2 }))).toEqual([[other?.eventId]]);
    const [third] = await fanned(ep.id, ['ord_E']);
    expect(await claim(ep.id, { concurrency: 2 })).toEqual([]);

    const [d1, d2, d3, d4] = chain as [ClaimedDelivery, ClaimedDelivery, ClaimedDelivery, ClaimedDelivery];
    await recordAttempts(
      h.deps,
      ep.id,
      [
        { delivery: d1, outcome: ok(), retryInMs: null },
        { delivery: d2, outcome: failed(), retryInMs: 60_000 },
      ],
      [d3, d4],
    );
    const rows = await Promise.all(a.map((e) => deliveryOf(h, ep.id, e.eventId)));
    expect(rows.map((r) => [r.status, r.attempts, r.blocked, r.leased_until])).toEqual([
      ['delivered', 1, false, null],
      ['pending', 1, false, null],
      ['pending', 0, true, null],
      ['pending', 0, true, null],
    ]);
    // the chain's slot is free again (ord_E goes); ord_C's head waits for its retry
    expect(eventsOf(await claim(ep.id, { chainLength: 4 }))).toEqual([[third?.eventId]]);
    await h.db.db
      .updateTable('webhook_delivery')
      .set({ next_attempt_at: sql`now()` })
      .where('id', '=', d2.id)
      .execute();
    const [again] = await claim(ep.id, { chainLength: 4 });
    expect(again?.map((d) => [d.eventId, d.attempt])).toEqual([
      [a[1]?.eventId, 2],
      [a[2]?.eventId, 1],
      [a[3]?.eventId, 1],
    ]);
  });

  it('the worker sends chains in order, one request per slot, and resumes after a failed member', async () => {
    const r = await Receiver.start();
    receivers.push(r);
    const ep = await addEndpoint(h, r.url());
    const events: AddedEvent[] = [];
    for (let i = 0; i < 6; i++) events.push(...(await fanned(ep.id, ['prod_x', 'prod_y', 'prod_z'])));
    const third = events.filter((e) => e.body.includes('"prod_x"'))[2] as AddedEvent;
    let failedOnce = false;
    r.answer = (x) => {
      if (x.id === third.eventId && !failedOnce) {
        failedOnce = true;
        return { status: 503 };
      }
      return { status: 200 };
    };
    workers.push(startWebhookWorker(h.deps, { feed: noFeed, retryDelayMs: () => 30, chainLength: 5 }));
    await waitFor('every event', () => events.every((e) => r.ids().includes(e.eventId)));
    expect(r.maxInFlight).toBeLessThanOrEqual(2); // WEBHOOK_CONCURRENCY, chains or not
    expect(r.resourceOverlap).toBe(false);
    for (const res of ['prod_x', 'prod_y', 'prod_z']) {
      const mine = events.filter((e) => e.body.includes(`"${res}"`)).map((e) => e.eventId);
      const firstReceipts = [...new Set(r.ids().filter((id) => mine.includes(id)))];
      expect(firstReceipts).toEqual(mine);
    }
    expect(r.ids().filter((id) => id === third.eventId)).toHaveLength(2);
    // the members handed back after the failure were not counted as attempts
    const after = events.filter((e) => e.body.includes('"prod_x"'))[3] as AddedEvent;
    await waitFor('recorded', async () => (await deliveryOf(h, ep.id, after.eventId)).status === 'delivered');
    expect((await deliveryOf(h, ep.id, after.eventId)).attempts).toBe(1);
  });

  it('repairs a resource whose lowest pending delivery was left blocked', async () => {
    const ep = await addEndpoint(h, 'http://127.0.0.1:9/never');
    const a = await fanned(ep.id, ['ord_R', 'ord_R', 'ord_R']);
    // the head finished without unblocking the next one (what a missed unblock leaves)
    await h.db.db
      .updateTable('webhook_delivery')
      .set({ status: 'delivered', delivered_at: new Date() })
      .where('endpoint_id', '=', ep.id)
      .where('event_id', '=', a[0]!.eventId)
      .execute();
    expect(await claim(ep.id)).toEqual([]);
    expect(await unblockOrphans(h.db.db)).toBe(1);
    expect(await blockedOf(ep.id, a.slice(1))).toEqual([false, true]);
    expect(await unblockOrphans(h.db.db)).toBe(0);
    expect(eventsOf(await claim(ep.id))).toEqual([[a[1]?.eventId]]);
  });

  it('examines the same rows per claim whatever the backlog of followers behind the heads', async () => {
    const ep = await addEndpoint(h, 'http://127.0.0.1:9/never');
    const resources = ['prod_1', 'prod_2', 'prod_3', 'prod_4', 'prod_5'];
    const batch = (n: number) => Array.from({ length: n }, () => resources).flat();
    await fanned(ep.id, batch(25));
    const small = await rowsExamined({ endpointId: ep.id, want: 5, concurrency: 10, leaseMs: 60_000, chainLength: 20 });
    await fanned(ep.id, batch(300));
    const big = await rowsExamined({ endpointId: ep.id, want: 5, concurrency: 10, leaseMs: 60_000, chainLength: 20 });
    expect(small.claimed).toBe(5 * 20);
    expect(big.claimed).toBe(5 * 20);
    expect(big.examined).toBeLessThanOrEqual(small.examined);
  });

  /** The claim explained (ANALYZE, rolled back): rows its scans of webhook_delivery read, and rows it leased. */
  async function rowsExamined(req: ClaimRequest): Promise<{ examined: number; claimed: number }> {
    // What the worker does when the table changed a lot (refreshDeliveryStatistics): plans follow the backlog.
    await sql`analyze webhook_delivery`.execute(h.db.db);
    let result = { examined: 0, claimed: 0 };
    const rollback = new Error('rollback');
    await withTransaction(h.db.db, async (tx) => {
      const { rows } = await sql<{
        'QUERY PLAN': unknown;
      }>`explain (analyze, format json) ${claimStatement(req)}`.execute(tx);
      const raw = rows[0]?.['QUERY PLAN'];
      const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
      result = { examined: scanned(plan[0].Plan), claimed: plan[0].Plan['Actual Rows'] ?? 0 };
      throw rollback;
    }).catch((err) => {
      if (err !== rollback) throw err;
    });
    return result;
  }

  it.runIf(usingPostgres)(
    'fan-out vs record of the head (two connections): the new delivery ends due, never stuck, whichever commits first',
    async () => {
      for (const recordFirst of [true, false]) {
        const ep = await addEndpoint(h, 'http://127.0.0.1:9/never');
        const [head] = await fanned(ep.id, ['ord_race']);
        const [claimed] = await claim(ep.id);
        const next = await addEvent(h, [], { resourceId: 'ord_race' });
        const row = {
          id: newId('webhookDelivery'),
          endpointId: ep.id,
          eventId: next.eventId,
          eventType: 'order.placed',
          resourceId: 'ord_race',
          sequence: String(next.sequence),
        };
        const held = deferred();
        const release = deferred();
        const holdOpen = async () => {
          held.resolve();
          await release.promise;
        };
        const fanOut = async (hold: boolean) =>
          withTransaction(h.db.db, async (tx) => {
            await lockPairHeads(tx, [row]);
            await insertDeliveries(tx, [row]);
            if (hold) await holdOpen();
          });
        const record = async (hold: boolean) =>
          withTransaction(h.db.db, async (tx) => {
            await recordAttemptsIn(h.deps, tx, ep.id, [{ delivery: claimed![0]!, outcome: ok(), retryInMs: null }]);
            if (hold) await holdOpen();
          });
        const first = recordFirst ? record(true) : fanOut(true);
        await held.promise;
        const second = recordFirst ? fanOut(false) : record(false);
        await waitFor('the second transaction to wait for the first one’s lock', async () => {
          const { rows } = await sql<{ n: number }>`
            select count(*)::int as n from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock'`.execute(h.db.db);
          return (rows[0]?.n ?? 0) > 0;
        });
        release.resolve();
        await Promise.all([first, second]);
        expect((await deliveryOf(h, ep.id, head!.eventId)).status).toBe('delivered');
        expect((await deliveryOf(h, ep.id, next.eventId)).blocked).toBe(false);
        expect(eventsOf(await claim(ep.id))).toEqual([[next.eventId]]);
      }
    },
  );
});

interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Rows read from webhook_delivery by every scan node of a plan (kept or filtered out), over all loops. */
function scanned(node: PlanNode): number {
  let n = 0;
  if (node['Relation Name'] === 'webhook_delivery' && node['Node Type'] !== 'ModifyTable') {
    const perLoop =
      (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0);
    n += perLoop * (node['Actual Loops'] ?? 1);
  }
  for (const child of node.Plans ?? []) n += scanned(child);
  return n;
}
