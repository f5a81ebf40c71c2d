import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fanOutOnce, pendingFanOut } from '../../src/modules/webhooks/fanout.js';
import { newStatementScope, runWithStatementScope } from '../../src/platform/db/query-stats.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { sequenceEvents } from '../../src/platform/outbox/sequencer.js';
import { LogCapture } from '../support/app.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';
import { deferred } from '../support/fixtures/outbox.js';
import { deliveriesOf, emit, fanoutDeps, insertEndpoint } from './fanout.support.js';

describe('webhook fan-out (outbox events → webhook events and deliveries)', () => {
  let t: TestDb;
  let logs: LogCapture;
  let deps: ReturnType<typeof fanoutDeps>;
  beforeEach(async () => {
    t = await createTestDb();
    logs = new LogCapture();
    deps = fanoutDeps(t.db, logs.logger('info'));
  });
  afterEach(() => t.destroy());

  const positionOf = async (id: string) =>
    (await t.db.selectFrom('outbox_event').select('position').where('id', '=', id).executeTakeFirstOrThrow())
      .position ?? '';
  const cursor = async () =>
    (await t.db.selectFrom('webhook_fanout').select('last_position').executeTakeFirstOrThrow()).last_position;

  it('delivers each event to the enabled endpoints whose filter names its type or *, never internal types', async () => {
    const orders = await insertEndpoint(t.db, ['order.placed']);
    const all = await insertEndpoint(t.db, ['*']);
    const disabled = await insertEndpoint(t.db, ['*'], false);
    const products = await insertEndpoint(t.db, ['product.updated', 'fulfillment.shipped']);
    const placed = await emit(t.db, 'order.placed', 'ord_1', { total: 1999 });
    const updated = await emit(t.db, 'product.updated', 'prod_1', { title: 'Mug' });
    const internal = await emit(t.db, 'notification.queued', 'ntf_1', { to: 'a@example.com' });
    const shipped = await emit(t.db, 'fulfillment.shipped', 'ful_1', { orderId: 'ord_1' });
    await sequenceEvents(t.db);

    expect(await pendingFanOut(deps)).toBe(4);
    expect(await fanOutOnce(deps)).toBe(4);
    const rows = await deliveriesOf(t.db);
    const pairs = rows.map((d) => [d.event_id, d.endpoint_id]);
    expect(pairs).toEqual(
      expect.arrayContaining([
        [placed, orders],
        [placed, all],
        [updated, all],
        [updated, products],
        [shipped, all],
        [shipped, products],
      ]),
    );
    expect(rows).toHaveLength(6);
    expect(rows.some((d) => d.endpoint_id === disabled)).toBe(false);
    expect(rows.every((d) => d.status === 'pending' && d.attempts === 0 && d.id.startsWith('whdl_'))).toBe(true);
    // The ordering key is the resource the event is about: the order for a shipment.
    const shippedRow = rows.find((d) => d.event_id === shipped);
    expect(shippedRow).toMatchObject({ resource_id: 'ord_1', event_type: 'fulfillment.shipped' });
    expect(shippedRow?.sequence).toBe(await positionOf(shipped));
    // Internal events are never stored for sending; the cursor moved past them all the same.
    const stored = await t.db.selectFrom('webhook_event').select('id').execute();
    expect(stored.map((s) => s.id).sort()).toEqual([placed, updated, shipped].sort());
    expect(stored.map((s) => s.id)).not.toContain(internal);
    expect(await cursor()).toBe(await positionOf(shipped));
    expect(await pendingFanOut(deps)).toBe(0);
  });

  it('stores the exact body that is signed: type, timestamp, sequence (= position), data, in that order', async () => {
    await insertEndpoint(t.db, ['order.placed']);
    const id = await emit(t.db, 'order.placed', 'ord_9', { total: 500, lines: [{ sku: 'A', qty: 2 }] });
    await sequenceEvents(t.db);
    await fanOutOnce(deps);
    const event = await t.db
      .selectFrom('outbox_event')
      .select(['created_at', 'position'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const row = await t.db.selectFrom('webhook_event').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.body).toBe(
      `{"type":"order.placed","timestamp":"${event.created_at.toISOString()}","sequence":${event.position},` +
        `"data":{"lines":[{"qty":2,"sku":"A"}],"total":500}}`, // data: the test catalogue's (the payload, jsonb key order)
    );
    expect(row).toMatchObject({ type: 'order.placed', resource_id: 'ord_9', sequence: event.position });
    expect(row.occurred_at.toISOString()).toBe(event.created_at.toISOString());
  });

  it('moves the cursor past events nobody wants, and sends nothing to an endpoint created later', async () => {
    await emit(t.db, 'order.placed', 'ord_1');
    await sequenceEvents(t.db);
    expect(await fanOutOnce(deps)).toBe(1); // no endpoint yet
    expect(await t.db.selectFrom('webhook_event').select('id').execute()).toEqual([]);
    expect(deps.catalogue.renderCalls).toBe(0); // nothing wanted: nothing rendered
    await insertEndpoint(t.db, ['*']);
    expect(await fanOutOnce(deps)).toBe(0);
    expect(await deliveriesOf(t.db)).toEqual([]);
  });

  it('skips an event whose resource no longer renders, with one warning, and goes on', async () => {
    await insertEndpoint(t.db, ['*']);
    const gone = await emit(t.db, 'order.placed', 'ord_gone', { gone: true });
    const kept = await emit(t.db, 'order.placed', 'ord_kept');
    await sequenceEvents(t.db);
    expect(await fanOutOnce(deps)).toBe(2);
    expect((await deliveriesOf(t.db)).map((d) => d.event_id)).toEqual([kept]);
    const warnings = logs.lines.filter((l) => String(l.msg).includes('could not render'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ eventIds: [gone], count: 1 });
  });

  it('is idempotent: a re-run (even from an older cursor) adds no delivery twice', async () => {
    await insertEndpoint(t.db, ['*']);
    await insertEndpoint(t.db, ['order.placed']);
    for (let n = 0; n < 5; n++) await emit(t.db, 'order.placed', `ord_${n}`);
    await sequenceEvents(t.db);
    expect(await fanOutOnce(deps)).toBe(5);
    const first = await deliveriesOf(t.db);
    expect(first).toHaveLength(10);
    expect(await fanOutOnce(deps)).toBe(0);
    await t.db.updateTable('webhook_fanout').set({ last_position: 0 }).execute(); // as after a crash before the cursor moved
    expect(await fanOutOnce(deps)).toBe(5);
    expect(await deliveriesOf(t.db)).toEqual(first);
  });

  it('keeps to its statement budget per batch, whatever the number of events and endpoints', async () => {
    for (let e = 0; e < 3; e++) await insertEndpoint(t.db, e === 0 ? ['*'] : ['order.placed', 'product.updated']);
    for (let n = 0; n < 25; n++) await emit(t.db, n % 2 ? 'order.placed' : 'product.updated', `res_${n % 4}`);
    await sequenceEvents(t.db);
    const counts: number[] = [];
    for (;;) {
      const scope = newStatementScope();
      const read = await runWithStatementScope(scope, () => fanOutOnce(deps, { batchSize: 10 }));
      if (read === 0) break;
      counts.push(scope.count);
      expect(scope.count, scope.statements.join('\n')).toBeLessThanOrEqual(9); // begin, lock, read, endpoints, events, heads' share locks, deliveries, cursor, commit
    }
    expect(counts).toHaveLength(3); // 10 + 10 + 5
    expect(new Set(counts).size).toBe(1); // the same statements for 5 events as for 10
    expect(deps.catalogue.renderCalls).toBe(3); // one render per batch
    expect(await deliveriesOf(t.db)).toHaveLength(75);
  });

  it.runIf(usingPostgres)(
    'runs one at a time: while another fan-out holds the cursor, a second returns 0 at once',
    async () => {
      await insertEndpoint(t.db, ['*']);
      await emit(t.db, 'order.placed', 'ord_1');
      await sequenceEvents(t.db);
      const held = deferred();
      const release = deferred();
      const holder = withTransaction(t.db, async (tx) => {
        await sql`select * from webhook_fanout for update`.execute(tx);
        held.resolve();
        await release.promise;
      });
      await held.promise;
      expect(await fanOutOnce(deps)).toBe(0);
      release.resolve();
      await holder;
      expect(await fanOutOnce(deps)).toBe(1);
      expect(await deliveriesOf(t.db)).toHaveLength(1);
    },
  );
});
