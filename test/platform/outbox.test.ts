import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { createMetrics, type Metrics } from '../../src/platform/metrics.js';
import { listOutboxEvents, outboxStats, pruneEvents, retryDeadEvent } from '../../src/platform/outbox/admin.js';
import { type EventHandler, EventHandlers } from '../../src/platform/outbox/handlers.js';
import { appendEvent, InvalidEventTypeError, type OutboxEvent } from '../../src/platform/outbox/outbox.js';
import { type RelayOptions, relayOnce } from '../../src/platform/outbox/relay.js';
import { sequenceEvents } from '../../src/platform/outbox/sequencer.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';
import { appendEvents, deferred, deliveries, eventRow, eventually, silent } from '../support/fixtures/outbox.js';

const opts: RelayOptions = { batchSize: 10, pollIntervalMs: 20, maxAttempts: 10, baseBackoffMs: 100 };

describe('transactional outbox', () => {
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
  const dbClock = async () =>
    (await sql<{ now: Date }>`select clock_timestamp() as now`.execute(t.db)).rows[0]?.now.getTime() ?? Number.NaN;

  it('delivers a committed event to the handlers of its type and to * handlers, then marks it delivered', async () => {
    const seen: [string, OutboxEvent][] = [];
    const handlers = new EventHandlers()
      .on('order.placed', 'typed', async (e) => void seen.push(['typed', e]))
      .on('*', 'all', async (e) => void seen.push(['all', e]))
      .on('order.cancelled', 'unrelated', async (e) => void seen.push(['unrelated', e]));
    const id = await withTransaction(t.db, (tx) =>
      appendEvent(tx, { type: 'order.placed', aggregateId: 'ord_1', payload: { total: 1999 }, requestId: 'req_1' }),
    );

    expect(await relay(handlers)).toBe(1);
    expect(seen.map(([name]) => name)).toEqual(['typed', 'all']);
    expect(seen[0]?.[1]).toMatchObject({ id, type: 'order.placed', aggregateId: 'ord_1', requestId: 'req_1' });
    expect(seen[0]?.[1]).toMatchObject({ payload: { total: 1999 }, attempts: 1 });
    const row = await eventRow(t.db, id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, last_error: null });
    expect(row.delivered_at).toBeInstanceOf(Date);
    const stored = await sql<{ kind: string }>`select jsonb_typeof(payload) as kind from outbox_event`.execute(t.db);
    expect(stored.rows).toEqual([{ kind: 'object' }]); // a JSON object, not a string holding JSON
    expect(await deliveries(metrics, 'delivered')).toBe(1);
    expect(await relay(handlers)).toBe(0);
    expect(seen).toHaveLength(2);
  });

  it('writes nothing and delivers nothing when the transaction rolls back', async () => {
    const calls: string[] = [];
    const handlers = handlersFor('*', async (e) => void calls.push(e.id));
    await expect(
      withTransaction(t.db, async (tx) => {
        await appendEvent(tx, { type: 'order.placed', payload: {} });
        throw new Error('the change failed after the event was appended');
      }),
    ).rejects.toThrow('the change failed');

    expect(await t.db.selectFrom('outbox_event').select('id').execute()).toEqual([]);
    expect(await relay(handlers)).toBe(0);
    expect(calls).toEqual([]);
  });

  it.runIf(usingPostgres)('does not deliver an event whose transaction has not committed yet', async () => {
    const calls: string[] = [];
    const handlers = handlersFor('*', async (e) => void calls.push(e.id));
    const appended = deferred();
    const commit = deferred();
    const tx = withTransaction(t.db, async (tx) => {
      const id = await appendEvent(tx, { type: 'order.placed', payload: {} });
      appended.resolve();
      await commit.promise;
      return id;
    });
    await appended.promise;
    expect(await relay(handlers)).toBe(0);
    commit.resolve();
    const id = await tx;
    expect(await relay(handlers)).toBe(1);
    expect(calls).toEqual([id]);
  });

  it('rejects an event type that is not <module>.<past_tense>, writing nothing', async () => {
    await expect(
      withTransaction(t.db, (tx) => appendEvent<string>(tx, { type: 'OrderPlaced', payload: {} })),
    ).rejects.toBeInstanceOf(InvalidEventTypeError);
    expect(await t.db.selectFrom('outbox_event').select('id').execute()).toEqual([]);
  });

  it('retries a failing handler with growing backoff, records the error, and delivers once it succeeds', async () => {
    let calls = 0;
    const handlers = handlersFor('test.happened', async () => {
      calls += 1;
      if (calls <= 3) throw new Error(`downstream unavailable #${calls}`);
    });
    const [id] = (await appendEvents(t.db, 1)) as [string];

    for (let attempt = 1; attempt <= 3; attempt++) {
      // The retry is scheduled from the moment the failure is written, somewhere in [before, after].
      let before = 0;
      await eventually(async () => {
        before = await dbClock();
        return (await relay(handlers)) > 0;
      });
      const after = await dbClock();
      const row = await eventRow(t.db, id);
      expect(row).toMatchObject({
        status: 'pending',
        attempts: attempt,
        last_error: expect.stringContaining(`#${attempt}`),
      });
      // baseBackoffMs 100, doubling, up to half taken off at random: 50–100, 100–200, 200–400 ms.
      const due = row.available_at.getTime();
      expect(due - before).toBeGreaterThanOrEqual(50 * 2 ** (attempt - 1) - 1);
      expect(due - after).toBeLessThanOrEqual(100 * 2 ** (attempt - 1) + 1);
    }

    await eventually(async () => (await relay(handlers)) > 0);
    expect(await eventRow(t.db, id)).toMatchObject({ status: 'delivered', attempts: 4, last_error: null });
    expect(await deliveries(metrics, 'failed')).toBe(3);
    expect(await deliveries(metrics, 'delivered')).toBe(1);
  });

  it('marks a poison event dead after maxAttempts, counts it, lists it, and requeues it on retry', async () => {
    let poisoned = true;
    let calls = 0;
    const handlers = handlersFor('test.happened', async () => {
      calls += 1;
      if (poisoned) throw new Error('poison: cannot parse payload');
    });
    const [id] = (await appendEvents(t.db, 1)) as [string];
    const fast = { maxAttempts: 3, baseBackoffMs: 1 };

    await eventually(async () => {
      await relay(handlers, fast);
      return (await eventRow(t.db, id)).status === 'dead';
    });
    expect(calls).toBe(3);
    expect(await metrics.registry.metrics()).toContain('outbox_deliveries_total{outcome="dead"} 1');
    expect(await deliveries(metrics, 'failed')).toBe(2);
    const dead = await listOutboxEvents(t.db, { status: 'dead', limit: 10 });
    expect(dead).toEqual([
      expect.objectContaining({ id, status: 'dead', attempts: 3, lastError: expect.stringContaining('poison') }),
    ]);
    expect(await listOutboxEvents(t.db, { status: 'pending', limit: 10 })).toEqual([]);
    await sleep(20);
    expect(await relay(handlers, fast)).toBe(0);
    expect(calls).toBe(3);

    expect(await retryDeadEvent(t.db, id)).toBe(true);
    expect(await eventRow(t.db, id)).toMatchObject({ status: 'pending', attempts: 0, last_error: null });
    expect(await retryDeadEvent(t.db, id)).toBe(false);
    expect(await retryDeadEvent(t.db, 'evt_does_not_exist')).toBe(false);
    poisoned = false;
    expect(await relay(handlers, fast)).toBe(1);
    expect(await eventRow(t.db, id)).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('marks an event dead when its attempts were used up by relays that never reported back', async () => {
    const calls: string[] = [];
    const handlers = handlersFor('*', async (e) => void calls.push(e.id));
    const [id] = (await appendEvents(t.db, 1)) as [string];
    // Three relays claimed it and died before recording anything; the last lease has run out.
    await t.db.updateTable('outbox_event').set({ attempts: 3 }).where('id', '=', id).execute();

    expect(await relay(handlers, { maxAttempts: 3 })).toBe(1);
    expect(calls).toEqual([]);
    expect(await eventRow(t.db, id)).toMatchObject({
      status: 'dead',
      attempts: 3,
      last_error: expect.stringMatching(/no outcome/),
    });
    expect(await deliveries(metrics, 'dead')).toBe(1);
  });

  it('outboxStats counts pending and dead events and the age of the oldest pending one', async () => {
    expect(await outboxStats(t.db)).toEqual({ pending: 0, dead: 0, oldestPendingAgeSeconds: 0 });
    const [oldest, , , poison, done] = (await appendEvents(t.db, 5)) as string[];
    await t.db
      .updateTable('outbox_event')
      .set({ status: 'dead' })
      .where('id', '=', poison as string)
      .execute();
    await t.db
      .updateTable('outbox_event')
      .set({ status: 'delivered', delivered_at: sql<Date>`now()` })
      .where('id', '=', done as string)
      .execute();
    await t.db
      .updateTable('outbox_event')
      .set({ created_at: sql<Date>`now() - interval '90 seconds'` })
      .where('id', '=', oldest as string)
      .execute();

    const stats = await outboxStats(t.db);
    expect(stats).toMatchObject({ pending: 3, dead: 1 });
    expect(stats.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(90);
    expect(stats.oldestPendingAgeSeconds).toBeLessThan(120);
  });

  it('pruneEvents deletes sequenced events older than the retention whatever their status, except pending ones', async () => {
    const ids = await appendEvents(t.db, 9);
    expect(await relay(new EventHandlers(), { batchSize: 7 })).toBe(7); // ids 0–6 delivered, 7–8 pending
    await sequenceEvents(t.db);
    const old = sql<Date>`now() - interval '40 days'`;
    await t.db.updateTable('outbox_event').set({ created_at: old }).where('id', 'in', ids.slice(0, 5)).execute();
    await t.db
      .updateTable('outbox_event')
      .set({ status: 'dead', created_at: old })
      .where('id', '=', ids[7] as string)
      .execute();
    await t.db
      .updateTable('outbox_event')
      .set({ created_at: old })
      .where('id', '=', ids[8] as string)
      .execute();
    // Old and delivered, but not sequenced yet: a consumer reading by position has not seen it.
    const [unsequenced] = await appendEvents(t.db, 1);
    await t.db
      .updateTable('outbox_event')
      .set({ created_at: old, status: 'delivered', delivered_at: old })
      .where('id', '=', unsequenced as string)
      .execute();

    expect(await pruneEvents(t.db, 30, 2)).toBe(6);
    const left = await t.db.selectFrom('outbox_event').select(['id', 'status']).orderBy('id').execute();
    expect(left).toEqual([
      { id: ids[5], status: 'delivered' },
      { id: ids[6], status: 'delivered' },
      { id: ids[8], status: 'pending' },
      { id: unsequenced, status: 'delivered' },
    ]);
    expect(await pruneEvents(t.db, 30)).toBe(0);
  });
});
