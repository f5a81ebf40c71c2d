import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abandonAttempt } from '../../src/modules/payments/index.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import {
  deliver,
  eventsOf,
  type GatewayShop,
  inboxDrained,
  paymentRow,
  preparedCart,
  stripeConfirm,
  stripeShop,
} from './gateway-e2e.helpers.js';

/**
 * Never money without an order: a buyer who paid and closed the tab gets the order from the webhook alone; money the
 * gateway holds for an attempt we gave up (the cart changed, the attempt was abandoned) goes back.
 */
describe('paid at the gateway, never completed', () => {
  let g: GatewayShop & { stripe: NonNullable<GatewayShop['stripe']> };

  beforeAll(async () => {
    g = await stripeShop();
  });
  afterAll(() => g.close());

  const intent = (id: string | null) => g.stripe.intents().find((pi) => pi.id === id);

  async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    const until = Date.now() + 10_000;
    for (;;) {
      const v = await read();
      if (ok(v) || Date.now() > until) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('the webhook alone places the order for a buyer who never called complete', async () => {
    const cart = await preparedCart(g);
    const from = eventsOf(g).length;
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    for (const e of eventsOf(g, from)) expect((await deliver(g, e)).statusCode).toBe(200);
    await inboxDrained(g.t);
    const orders = await eventually(
      () => g.t.db.db.selectFrom('order').select(['id', 'status']).where('cart_id', '=', cart.cartId).execute(),
      (rows) => rows.length > 0 && rows[0]?.status === 'placed',
    );
    expect(orders).toHaveLength(1);
    expect(orders[0]?.status).toBe('placed');
    expect((await paymentRow(g.t, cart.paymentId)).order_id).toBe(orders[0]?.id);
    // The buyer comes back after all: the same order.
    const res = await g.t.app.inject({ method: 'POST', url: `/v1/store/carts/${cart.cartId}/complete` });
    expect(res.json().order.id).toBe(orders[0]?.id);
  });

  it('the buyer paid, then changed the cart: the old payment is voided at the gateway', async () => {
    const cart = await preparedCart(g);
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    const old = await paymentRow(g.t, cart.paymentId);
    // The webhook told us the old attempt is authorized.
    await g.t.db.db.updateTable('cart').set({ shipping_option_id: null }).where('id', '=', cart.cartId).execute();
    const add = await g.t.app.inject({
      method: 'POST',
      url: `/v1/store/carts/${cart.cartId}/lines`,
      payload: { variantId: cart.variants[0]?.variantId, quantity: 1 },
    });
    expect(add.statusCode).toBe(200);
    // Authorized at our side too (as its webhook would have recorded).
    for (const e of eventsOf(g).filter((e) => e.body.includes(old.provider_reference as string))) await deliver(g, e);
    await inboxDrained(g.t);
    const again = await g.t.app.inject({
      method: 'POST',
      url: `/v1/store/carts/${cart.cartId}/payment`,
      payload: { provider: 'stripe' },
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().payment.id).not.toBe(cart.paymentId);
    // Voided by this request or by the webhook worker that saw the cart change first: either way, once.
    const voided = await eventually(
      () => paymentRow(g.t, cart.paymentId),
      (row) => row.status === 'voided',
    );
    expect(voided.status).toBe('voided');
    expect(intent(old.provider_reference)?.status).toBe('canceled');
  });

  it('an attempt we abandoned that the gateway authorizes later: the authorization is cancelled', async () => {
    const cart = await preparedCart(g);
    await withTransaction(g.t.db.db, (tx) => abandonAttempt(tx, cart.paymentId));
    const from = eventsOf(g).length;
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    for (const e of eventsOf(g, from)) await deliver(g, e);
    await inboxDrained(g.t);
    const ref = (await paymentRow(g.t, cart.paymentId)).provider_reference;
    const pi = await eventually(
      async () => intent(ref),
      (v) => v?.status === 'canceled',
    );
    expect(pi?.status).toBe('canceled');
    // The release is recorded right after Stripe answers: wait for it like for the cancellation.
    const events = await eventually(
      () => g.t.db.db.selectFrom('outbox_event').select('type').where('aggregate_id', '=', cart.paymentId).execute(),
      (rows) => rows.some((r) => r.type === 'payment.released'),
    );
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['payment.mismatch', 'payment.released']));
  });
});
