import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../src/platform/db/create-db.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { EventHandlers } from '../../src/platform/outbox/handlers.js';
import { startRelay } from '../../src/platform/outbox/relay.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';
import { appendEvents, deliveries, eventually, silent } from '../support/fixtures/outbox.js';

const EVENTS = 300;

/**
 * Two relays on two connections pools (two processes, as far as PostgreSQL can tell) drain one
 * backlog at the same time. On the embedded database there is one session, so the relays still
 * interleave between statements but their claims are serialized; the real test is on PostgreSQL.
 */
describe('two outbox relays at once', () => {
  let t: TestDb;
  let second: DbHandle;
  beforeAll(async () => {
    t = await createTestDb();
    second =
      usingPostgres && t.url
        ? await createDb({ url: t.url, dataDir: '', poolMax: 5, lockTimeoutMs: 5000, statementTimeoutMs: 60_000 })
        : t;
  });
  afterAll(async () => {
    if (second !== t) await second.close();
    await t.destroy();
  });

  it('never hands one event to two handlers at once, and delivers every event exactly once', async () => {
    // A backlog to start with, then the rest in small commits while the relays run: with the
    // backlog gone the relays keep meeting at the head of the queue, where a broken claim would
    // hand one event to both.
    const ids = await appendEvents(t.db, EVENTS / 3);
    const inHandler = new Set<string>();
    const overlaps: string[] = [];
    const deliveredBy = new Map<string, string[]>();

    /** Records entry and exit per event id; an id already inside a handler is a concurrent delivery. */
    const recorder = (relay: string) =>
      new EventHandlers().on('test.happened', 'recorder', async (event) => {
        if (inHandler.has(event.id)) overlaps.push(event.id);
        inHandler.add(event.id);
        try {
          deliveredBy.set(event.id, [...(deliveredBy.get(event.id) ?? []), relay]);
          await sleep(Math.random() * 4); // widen the window in which a second delivery would overlap
        } finally {
          inHandler.delete(event.id);
        }
      });

    const opts = { batchSize: 10, pollIntervalMs: 10, maxAttempts: 5 };
    const metricsA = createMetrics();
    const metricsB = createMetrics();
    const relays = [
      startRelay({ db: t.db, handlers: recorder('A'), logger: silent, metrics: metricsA }, opts),
      startRelay({ db: second.db, handlers: recorder('B'), logger: silent, metrics: metricsB }, opts),
    ];
    try {
      while (ids.length < EVENTS) {
        ids.push(...(await appendEvents(t.db, 10)));
        await sleep(Math.random() * 10);
      }
      await eventually(async () => deliveredBy.size === EVENTS, 60_000);
      // Let both relays run a few more rounds: nothing may be delivered a second time.
      await sleep(100);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }

    expect(overlaps).toEqual([]);
    expect([...deliveredBy.keys()].sort()).toEqual([...ids].sort());
    const repeated = [...deliveredBy].filter(([, by]) => by.length !== 1);
    expect(repeated).toEqual([]);

    const statuses = await t.db
      .selectFrom('outbox_event')
      .select(({ fn }) => ['status', fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    expect(statuses.map((s) => ({ status: s.status, n: Number(s.n) }))).toEqual([{ status: 'delivered', n: EVENTS }]);

    const byRelay = (name: string) => [...deliveredBy.values()].filter((by) => by[0] === name).length;
    expect(byRelay('A')).toBeGreaterThan(0);
    expect(byRelay('B')).toBeGreaterThan(0);
    expect((await deliveries(metricsA, 'delivered')) + (await deliveries(metricsB, 'delivered'))).toBe(EVENTS);
    expect((await deliveries(metricsA, 'failed')) + (await deliveries(metricsB, 'failed'))).toBe(0);
  });
});
