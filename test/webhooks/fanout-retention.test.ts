import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fanOutOnce, pruneWebhookHistory } from '../../src/modules/webhooks/index.js';
import { newId } from '../../src/platform/ids.js';
import { sequenceEvents } from '../../src/platform/outbox/sequencer.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { silent } from '../support/fixtures/outbox.js';
import { deliveriesOf, emit, fanoutDeps, insertEndpoint } from './fanout.support.js';

describe('webhook history retention', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.destroy());

  it('prunes old events whose deliveries are all done (with deliveries and attempts); keeps pending and recent ones', async () => {
    const deps = fanoutDeps(t.db, silent);
    const first = await insertEndpoint(t.db, ['*']);
    await insertEndpoint(t.db, ['*']);
    const done = await emit(t.db, 'order.placed', 'ord_done');
    const waiting = await emit(t.db, 'order.placed', 'ord_waiting');
    const recent = await emit(t.db, 'order.placed', 'ord_recent');
    await sequenceEvents(t.db);
    await fanOutOnce(deps);
    const old = sql<Date>`now() - interval '40 days'`;
    await t.db.updateTable('webhook_event').set({ created_at: old }).where('id', 'in', [done, waiting]).execute();
    // done: delivered to one endpoint, given up on the other; waiting: one delivery still pending.
    await t.db
      .updateTable('webhook_delivery')
      .set({ status: 'delivered', delivered_at: new Date(), attempts: 1 })
      .where((eb) => eb.or([eb('event_id', 'in', [recent, done]), eb('endpoint_id', '=', first)]))
      .execute();
    await t.db
      .updateTable('webhook_delivery')
      .set({ status: 'failed', delivered_at: null, attempts: 12 })
      .where('event_id', '=', done)
      .where('endpoint_id', '<>', first)
      .execute();
    const doneDelivery = (await deliveriesOf(t.db)).find((d) => d.event_id === done && d.endpoint_id === first);
    await t.db
      .insertInto('webhook_attempt')
      .values({
        id: newId('webhookAttempt'),
        delivery_id: doneDelivery?.id ?? '',
        attempt: 1,
        started_at: new Date(),
        duration_ms: 5,
        status_code: 200,
      })
      .execute();

    expect(await pruneWebhookHistory(deps, 30, 1)).toBe(1);
    const events = await t.db.selectFrom('webhook_event').select('id').orderBy('id').execute();
    expect(events.map((e) => e.id)).toEqual([waiting, recent]);
    expect((await deliveriesOf(t.db)).map((d) => d.event_id)).not.toContain(done);
    expect(await t.db.selectFrom('webhook_attempt').select('id').execute()).toEqual([]);
    expect(await pruneWebhookHistory(deps, 30)).toBe(0);
  });
});
