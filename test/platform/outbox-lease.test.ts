import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../src/platform/metrics.js';
import { type EventHandler, EventHandlers } from '../../src/platform/outbox/handlers.js';
import { type RelayOptions, RelayOptionsError, relayOnce, startRelay } from '../../src/platform/outbox/relay.js';
import { createTestDb, type TestDb } from '../support/db.js';
import {
  appendEvents,
  deferred,
  deliveries,
  eventRow,
  millisecondsUntilDue,
  silent,
} from '../support/fixtures/outbox.js';

const opts: RelayOptions = { batchSize: 10, pollIntervalMs: 20, maxAttempts: 10, baseBackoffMs: 100 };

/**
 * The relay's lease: how long an event in hand may take, what happens to an outcome reported
 * after the lease was lost, and what a stopping relay gives back.
 */
describe('outbox relay leases', () => {
  let t: TestDb;
  let metrics: Metrics;
  beforeEach(async () => {
    metrics = createMetrics();
    t = await createTestDb();
  });
  afterEach(() => t.destroy());

  const relay = (handlers: EventHandlers, o: Partial<RelayOptions> = {}, m = metrics) =>
    relayOnce({ db: t.db, handlers, logger: silent, metrics: m }, { ...opts, ...o });
  const handlersFor = (type: string, handle: EventHandler) => new EventHandlers().on(type, 'test', handle);
  const dueInMs = (id: string) => millisecondsUntilDue(t.db, id);

  it('counts a handler that outlives handlerTimeoutMs as a failed attempt, and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    let handlerDone: Promise<unknown> = Promise.resolve();
    const handlers = handlersFor('test.happened', (_e, ctx) => {
      signal = ctx.signal;
      handlerDone = sleep(2000); // ignores the signal: the relay must not wait for it
      return handlerDone.then(() => {});
    });
    const [id] = (await appendEvents(t.db, 1)) as [string];

    const started = performance.now();
    await relay(handlers, { leaseMs: 1000, handlerTimeoutMs: 50 });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(signal?.aborted).toBe(true);
    expect(await eventRow(t.db, id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: expect.stringMatching(/timed out after 50 ms/),
    });
    expect(await deliveries(metrics, 'failed')).toBe(1);
    await handlerDone;
  });

  /** Relay A claims the event and is stuck in its handler until `release`; then its lease runs out. */
  async function loseLease(outcome: 'fails' | 'succeeds') {
    const entered = deferred();
    const release = deferred();
    const stuck = handlersFor('test.happened', async () => {
      entered.resolve();
      await release.promise;
      if (outcome === 'fails') throw new Error('late failure from the relay that lost its lease');
    });
    const [id] = (await appendEvents(t.db, 1)) as [string];
    const metricsA = createMetrics();
    const relayA = relay(stuck, { leaseMs: 10_000, handlerTimeoutMs: 5000 }, metricsA);
    await entered.promise;
    // The lease running out, without waiting 10 s for it.
    await t.db.updateTable('outbox_event').set({ available_at: sql<Date>`now()` }).where('id', '=', id).execute();
    const finishA = () => {
      release.resolve();
      return relayA;
    };
    return { id, metricsA, finishA };
  }

  it('keeps a newer delivery when the relay that lost its lease fails afterwards', async () => {
    const { id, metricsA, finishA } = await loseLease('fails');
    expect(await relay(handlersFor('test.happened', async () => {}))).toBe(1);
    expect(await eventRow(t.db, id)).toMatchObject({ status: 'delivered', attempts: 2 });

    await finishA();
    expect(await eventRow(t.db, id)).toMatchObject({ status: 'delivered', attempts: 2, last_error: null });
    expect(await deliveries(metricsA, 'failed')).toBe(0);
  });

  it('keeps a newer failure when the relay that lost its lease succeeds afterwards', async () => {
    const { id, metricsA, finishA } = await loseLease('succeeds');
    const failing = handlersFor('test.happened', async () => {
      throw new Error('failure from the relay holding the lease');
    });
    expect(await relay(failing)).toBe(1);

    await finishA();
    expect(await eventRow(t.db, id)).toMatchObject({
      status: 'pending',
      attempts: 2,
      last_error: expect.stringMatching(/holding the lease/),
    });
    expect(await deliveries(metricsA, 'delivered')).toBe(0);
  });

  it('stop() lets the event in hand finish and hands back the claimed events it had not started', async () => {
    const entered = deferred();
    const release = deferred();
    const calls: string[] = [];
    const handlers = handlersFor('test.happened', async (e) => {
      calls.push(e.id);
      entered.resolve();
      await release.promise;
    });
    const ids = await appendEvents(t.db, 5);
    const running = startRelay({ db: t.db, handlers, logger: silent, metrics }, { ...opts, batchSize: 5 });
    await entered.promise;
    const stopped = running.stop();
    release.resolve();
    await stopped;

    expect(calls).toEqual([ids[0]]);
    expect(await eventRow(t.db, ids[0] as string)).toMatchObject({ status: 'delivered' });
    for (const id of ids.slice(1)) {
      expect(await eventRow(t.db, id)).toMatchObject({ status: 'pending', attempts: 0 });
      expect(await dueInMs(id)).toBeLessThanOrEqual(0);
    }
    expect(await relay(new EventHandlers())).toBe(4);
  });

  it('hands back the rest of a batch instead of starting an event whose deadline would outlast the lease', async () => {
    const calls: string[] = [];
    const handlers = handlersFor('test.happened', async (e) => {
      calls.push(e.id);
      await sleep(600);
    });
    const ids = await appendEvents(t.db, 3);
    // Lease 2 s, deadline 1 s: the third event would start at ~1.2 s and could run past 2 s.
    expect(await relay(handlers, { leaseMs: 2000, handlerTimeoutMs: 1000 })).toBe(3);

    expect(calls).toEqual(ids.slice(0, 2));
    expect(await eventRow(t.db, ids[2] as string)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await dueInMs(ids[2] as string)).toBeLessThanOrEqual(0);
  });

  it('refuses relay options whose handler timeout does not fit twice in the lease', () => {
    const deps = { db: t.db, handlers: new EventHandlers(), logger: silent };
    expect(() => startRelay(deps, { ...opts, leaseMs: 1000, handlerTimeoutMs: 800 })).toThrow(RelayOptionsError);
  });
});
