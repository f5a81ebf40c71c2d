import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';
import {
  deliver,
  eventsOf,
  type GatewayShop,
  paymentRow,
  preparedCart,
  stripeConfirm,
  stripeShop,
} from './gateway-e2e.helpers.js';

/**
 * A stored webhook whose first try fails (here: its payment row stays locked past lock_timeout, as under load) is
 * tried again by the process that received it once its backoff ends — no worker process runs in this test, so only
 * that follow-up round can apply it. PostgreSQL only: the embedded database has one connection, so a second
 * transaction cannot hold a row while the app works.
 */
describe.skipIf(!usingPostgres)('webhook inbox follow-up round', () => {
  let db: TestDb;
  let g: GatewayShop & { stripe: NonNullable<GatewayShop['stripe']> };
  beforeAll(async () => {
    db = await createTestDb({ lockTimeoutMs: 300 });
    g = await stripeShop({}, { db });
  });
  afterAll(async () => {
    await g.close();
    await db.destroy();
  });

  const eventRow = (eventId: string) =>
    db.db
      .selectFrom('payment_webhook_event')
      .select(['status', 'attempts', 'last_error'])
      .where('event_id', '=', eventId)
      .executeTakeFirstOrThrow();

  it('a try that failed on a lock is applied after its backoff, by the receiving process alone', async () => {
    const cart = await preparedCart(g);
    const from = g.stripe.events.length;
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    const event = eventsOf(g, from, ['payment_intent.amount_capturable_updated'])[0];
    if (!event) throw new Error('no event');

    // Someone holds the payment row (a long transaction) while the webhook arrives: the first try times out.
    let release: () => void = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const holder = db.db.transaction().execute(async (tx) => {
      await sql`select id from payment where id = ${cart.paymentId} for update`.execute(tx);
      locked();
      await released;
    });
    await isLocked;
    expect((await deliver(g, event)).json()).toEqual({ received: true, duplicate: false });
    const until = Date.now() + 10_000;
    while ((await eventRow(event.id)).attempts === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    const failed = await eventRow(event.id);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1 });
    expect(failed.last_error).toMatch(/busy/i);
    release();
    await holder;

    // No new webhook, no worker: the follow-up round (about a second later) applies it.
    while ((await eventRow(event.id)).status === 'pending' && Date.now() < until + 5_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await eventRow(event.id)).toMatchObject({ status: 'processed', attempts: 2 });
    expect((await paymentRow(g.t, cart.paymentId)).status).toBe('authorized');
  });
});
