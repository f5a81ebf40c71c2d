import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fanOutOnce, replayEndpoint } from '../../src/modules/webhooks/fanout.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { appendEvent } from '../../src/platform/outbox/outbox.js';
import { sequenceEvents } from '../../src/platform/outbox/sequencer.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { silent } from '../support/fixtures/outbox.js';
import { deliveriesOf, emit, fanoutDeps, insertEndpoint } from './fanout.support.js';

describe('webhook replay (an endpoint gets its events since a time again)', () => {
  let t: TestDb;
  let deps: ReturnType<typeof fanoutDeps>;
  beforeEach(async () => {
    t = await createTestDb();
    deps = fanoutDeps(t.db, silent);
  });
  afterEach(() => t.destroy());

  const hourAgo = () => new Date(Date.now() - 3_600_000);
  const fanOut = async () => {
    await sequenceEvents(t.db);
    while ((await fanOutOnce(deps)) > 0) {}
  };
  const deliveryOf = (endpointId: string, eventId: string) =>
    t.db
      .selectFrom('webhook_delivery')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where('event_id', '=', eventId)
      .executeTakeFirstOrThrow();
  const settle = (id: string, set: { status: 'delivered' | 'failed'; attempts: number }) =>
    t.db
      .updateTable('webhook_delivery')
      .set({ ...set, delivered_at: set.status === 'delivered' ? new Date() : null, last_error: 'was' })
      .where('id', '=', id)
      .execute();

  it('re-queues delivered and failed deliveries with the same id and webhook-id, attempts kept, only matching types', async () => {
    const orders = await insertEndpoint(t.db, ['order.placed']);
    const first = await emit(t.db, 'order.placed', 'ord_1');
    const second = await emit(t.db, 'order.placed', 'ord_2');
    await emit(t.db, 'product.updated', 'prod_1');
    await fanOut();
    const delivered = await deliveryOf(orders, first);
    const failed = await deliveryOf(orders, second);
    await settle(delivered.id, { status: 'delivered', attempts: 1 });
    await settle(failed.id, { status: 'failed', attempts: 12 });
    const bodies = await t.db.selectFrom('webhook_event').select(['id', 'body']).orderBy('id').execute();

    expect(await replayEndpoint(deps, orders, hourAgo())).toEqual({ queued: 2 });
    const again = await deliveriesOf(t.db);
    expect(again.map((d) => [d.id, d.event_id, d.status, d.attempts])).toEqual([
      [delivered.id, first, 'pending', 1],
      [failed.id, second, 'pending', 12],
    ]);
    const row = await deliveryOf(orders, first);
    expect(row.delivered_at).toBeNull();
    expect(row.leased_until).toBeNull();
    expect(row.next_attempt_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await t.db.selectFrom('webhook_event').select(['id', 'body']).orderBy('id').execute()).toEqual(bodies);
  });

  it('leaves a delivery in flight alone and skips events older than the time given', async () => {
    const all = await insertEndpoint(t.db, ['*']);
    const old = await emit(t.db, 'order.placed', 'ord_old');
    const leased = await emit(t.db, 'order.placed', 'ord_leased');
    const recent = await emit(t.db, 'order.placed', 'ord_recent');
    await fanOut();
    await t.db
      .updateTable('outbox_event')
      .set({ created_at: new Date(Date.now() - 3 * 86_400_000) })
      .where('id', '=', old)
      .execute();
    const inFlight = await deliveryOf(all, leased);
    const lease = new Date(Date.now() + 60_000);
    await t.db
      .updateTable('webhook_delivery')
      .set({ leased_until: lease, attempts: 1 })
      .where('id', '=', inFlight.id)
      .execute();
    await settle((await deliveryOf(all, old)).id, { status: 'delivered', attempts: 1 });
    await settle((await deliveryOf(all, recent)).id, { status: 'delivered', attempts: 1 });

    expect(await replayEndpoint(deps, all, new Date(Date.now() - 86_400_000))).toEqual({ queued: 1 });
    expect((await deliveryOf(all, recent)).status).toBe('pending');
    expect((await deliveryOf(all, old)).status).toBe('delivered');
    expect((await deliveryOf(all, leased)).leased_until?.getTime()).toBe(lease.getTime());
  });

  it('gives an endpoint created later the events it missed, rendering those nobody wanted then', async () => {
    const early = await insertEndpoint(t.db, ['order.placed']);
    const wanted = await emit(t.db, 'order.placed', 'ord_1');
    const unwanted = await emit(t.db, 'product.updated', 'prod_1', { title: 'Mug' });
    await emit(t.db, 'notification.queued', 'ntf_1');
    await fanOut();
    expect(await t.db.selectFrom('webhook_event').select('id').execute()).toEqual([{ id: wanted }]);
    const late = await insertEndpoint(t.db, ['*']);

    expect(await replayEndpoint(deps, late, hourAgo())).toEqual({ queued: 2 });
    const rows = (await deliveriesOf(t.db)).filter((d) => d.endpoint_id === late);
    expect(rows.map((d) => d.event_id)).toEqual([wanted, unwanted]);
    const stored = await t.db
      .selectFrom('webhook_event')
      .selectAll()
      .where('id', '=', unwanted)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.body)).toMatchObject({ type: 'product.updated', data: { title: 'Mug' } });
    expect(rows.find((d) => d.event_id === unwanted)?.sequence).toBe(stored.sequence);
    // The first endpoint's delivery is untouched (and a second replay queues nothing new for it while pending).
    expect((await deliveriesOf(t.db)).filter((d) => d.endpoint_id === early)).toHaveLength(1);
  });

  it('replays more than one batch (500 events per transaction)', async () => {
    const all = await insertEndpoint(t.db, ['*']);
    await withTransaction(t.db, async (tx) => {
      for (let n = 0; n < 520; n++)
        await appendEvent<string>(tx, { type: 'order.placed', aggregateId: `ord_${n}`, payload: { n } });
    });
    await sequenceEvents(t.db);
    expect(await replayEndpoint(deps, all, hourAgo())).toEqual({ queued: 520 });
    expect(await deliveriesOf(t.db)).toHaveLength(520);
  });

  it('refuses an unknown endpoint (404), queuing nothing', async () => {
    await emit(t.db, 'order.placed', 'ord_1');
    await sequenceEvents(t.db);
    await expect(replayEndpoint(deps, 'whep_unknown', hourAgo())).rejects.toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(await deliveriesOf(t.db)).toEqual([]);
  });
});
