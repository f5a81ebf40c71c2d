import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakePayPal } from '../../src/fake-gateways/paypal/index.js';
import { ownerClient } from '../checkout/checkout.helpers.js';
import {
  adminOrder,
  complete,
  deliver,
  eventsOf,
  type GatewayShop,
  inboxDrained,
  paymentRow,
  paypalApprove,
  paypalShop,
  preparedCart,
  regionCapture,
} from './gateway-e2e.helpers.js';
import { ledger, paypalRecord } from './paypal-e2e.helpers.js';

/**
 * PayPal end to end over HTTP: Backroom configured with PayPal credentials, the official SDK talking to the local
 * fake PayPal, a test acting as the buyer (approving on PayPal's page) and as PayPal's webhook sender. Every money
 * movement is checked on both sides: Backroom's ledger and the gateway's own records.
 */
describe('PayPal checkout end to end', () => {
  let g: GatewayShop & { paypal: FakePayPal };

  beforeAll(async () => {
    g = await paypalShop();
  });
  afterAll(() => g.close());

  const eur = (amount: number) => ({ amount: { amount, currency: 'EUR' } });

  it('checkout → approve → authorize → two captures → partial refund → refund the rest, each recorded once', async () => {
    const cart = await preparedCart(g);
    const orderRef = cart.clientData.orderId as string;
    expect(orderRef).toMatch(/^[A-Z0-9]{17}$/);
    expect(cart.clientData.approvalUrl).toBe(`${g.paypal.url}/checkoutnow?token=${orderRef}`);
    expect(paypalRecord(g.paypal, orderRef)).toMatchObject({ status: 'PAYER_ACTION_REQUIRED', intent: 'AUTHORIZE' });
    // Choosing again with the same total answers the same PayPal order.
    const again = await g.t.app.inject({
      method: 'POST',
      url: `/v1/store/carts/${cart.cartId}/payment`,
      payload: { provider: 'paypal' },
    });
    expect(again.json().payment.clientData.orderId).toBe(orderRef);
    expect(g.paypal.store.orders.size).toBe(1);

    await paypalApprove(g.paypal, orderRef);
    const done = await complete(g.t, cart.cartId);
    expect(done.statusCode).toBe(200);
    const orderId = done.json().order.id as string;
    expect(done.json().payment).toMatchObject({ provider: 'paypal', status: 'authorized' });
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({
      status: 'authorized',
      authorized: cart.total,
      captured: 0,
      provider_reference: orderRef,
      order_id: orderId,
    });
    expect(paypalRecord(g.paypal, orderRef)).toMatchObject({
      status: 'COMPLETED',
      authorized: cart.total,
      captured: 0,
    });

    const staff = await ownerClient(g.t);
    const first = 1500;
    const part = await staff('POST', `/v1/admin/orders/${orderId}/capture`, eur(first));
    expect(part.statusCode).toBeLessThan(300);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ captured: first });
    expect(paypalRecord(g.paypal, orderRef).captured).toBe(first);

    // PayPal allows further captures on the same authorization: take the rest.
    const rest = await staff('POST', `/v1/admin/orders/${orderId}/capture`, {});
    expect(rest.statusCode).toBeLessThan(300);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ captured: cart.total, refunded: 0 });
    const captured = paypalRecord(g.paypal, orderRef);
    expect(captured.captures.map((c) => c.minor)).toEqual([first, cart.total - first]);
    const authId = g.paypal.store.orders.get(orderRef)?.authorizationIds[0] ?? '';
    expect(g.paypal.store.authorizations.get(authId)?.status).toBe('CAPTURED');

    const partial = await staff('POST', `/v1/admin/orders/${orderId}/refunds`, { ...eur(1000), reason: 'scratch' });
    expect(partial.statusCode).toBe(201);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ refunded: 1000 });
    expect(paypalRecord(g.paypal, orderRef).refunded).toBe(1000);
    // The rest spans both captures: it is split over them at PayPal, one refund call here.
    const restRefund = await staff('POST', `/v1/admin/orders/${orderId}/refunds`, eur(cart.total - 1000));
    expect(restRefund.statusCode).toBe(201);

    const p = await paymentRow(g.t, cart.paymentId);
    expect(p).toMatchObject({ status: 'refunded', authorized: cart.total, captured: cart.total, refunded: cart.total });
    const fake = paypalRecord(g.paypal, orderRef);
    expect(fake).toMatchObject({
      authorizations: 1,
      authorized: cart.total,
      captured: cart.total,
      refunded: cart.total,
    });
    expect(fake.captures.map((c) => c.status)).toEqual(['REFUNDED', 'REFUNDED']);
    const kinds = (await ledger(g.t, cart.paymentId)).map((r) => r.kind);
    expect(kinds.filter((k) => k === 'authorization')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'capture')).toHaveLength(2);

    // Every webhook PayPal sent, delivered now (and twice): nothing is counted again.
    const events = eventsOf(g);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'CHECKOUT.ORDER.APPROVED',
        'PAYMENT.AUTHORIZATION.CREATED',
        'PAYMENT.CAPTURE.COMPLETED',
        'PAYMENT.CAPTURE.REFUNDED',
      ]),
    );
    const before = await ledger(g.t, cart.paymentId);
    for (const e of events) {
      expect((await deliver(g, e)).statusCode).toBe(200);
      expect((await deliver(g, e)).json()).toEqual({ received: true, duplicate: true });
    }
    await inboxDrained(g.t);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({
      status: 'refunded',
      captured: cart.total,
      refunded: cart.total,
    });
    expect(await ledger(g.t, cart.paymentId)).toEqual(before);
    const stored = await g.t.db.db
      .selectFrom('payment_webhook_event')
      .select(['event_id', 'status'])
      .where('provider', '=', 'paypal')
      .execute();
    expect(stored.map((r) => r.event_id).sort()).toEqual(events.map((e) => e.id).sort());
    expect(stored.filter((r) => r.status === 'failed' || r.status === 'pending')).toEqual([]);
    expect((await adminOrder(g.t, orderId)).paymentStatus).toBe('refunded');
  }, 60_000);

  it('a declined funding instrument: 402, the cart open again, no order placed, nothing authorized', async () => {
    const cart = await preparedCart(g);
    const orderRef = cart.clientData.orderId as string;
    await paypalApprove(g.paypal, orderRef, 'decline');
    const res = await complete(g.t, cart.cartId);
    expect(res.statusCode).toBe(402);
    expect(res.json()).toMatchObject({ code: 'PAYMENT_DECLINED', declineCode: 'INSTRUMENT_DECLINED' });
    const cartView = await g.t.app.inject({ method: 'GET', url: `/v1/store/carts/${cart.cartId}` });
    expect(cartView.json().status).toBe('open');
    expect(paypalRecord(g.paypal, orderRef)).toMatchObject({ status: 'APPROVED', authorizations: 0, captured: 0 });
    // The pending order the attempt belonged to is cancelled, never placed.
    const pending = (await paymentRow(g.t, cart.paymentId)).order_id as string;
    expect(await adminOrder(g.t, pending)).toMatchObject({ status: 'cancelled', paymentStatus: 'not_paid' });
    // The refusal is on the ledger as a failed authorization; no money is held.
    expect((await ledger(g.t, cart.paymentId)).map((r) => [r.kind, r.status])).toEqual([['authorization', 'failed']]);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'failed', authorized: 0 });
    // The buyer tries again: a new PayPal order, approved this time.
    const retry = await preparedCart(g);
    expect(retry.clientData.orderId).not.toBe(orderRef);
    await paypalApprove(g.paypal, retry.clientData.orderId as string);
    const placed = await complete(g.t, retry.cartId);
    expect(placed.statusCode).toBe(200);
    expect(placed.json().payment.status).toBe('authorized');
  });

  it('completing before approval: 409 requires_action with the approval URL, then places the order', async () => {
    const cart = await preparedCart(g);
    const orderRef = cart.clientData.orderId as string;
    const waiting = await complete(g.t, cart.cartId);
    expect(waiting.statusCode).toBe(409);
    expect(waiting.json()).toMatchObject({
      code: 'PAYMENT_REQUIRES_ACTION',
      clientData: { orderId: orderRef, approvalUrl: `${g.paypal.url}/checkoutnow?token=${orderRef}` },
    });
    expect(paypalRecord(g.paypal, orderRef)).toMatchObject({ status: 'PAYER_ACTION_REQUIRED', authorizations: 0 });
    await paypalApprove(g.paypal, orderRef);
    const placed = await complete(g.t, cart.cartId);
    expect(placed.statusCode).toBe(200);
    expect(placed.json().order.status).toBe('placed');
    expect(paypalRecord(g.paypal, orderRef)).toMatchObject({ status: 'COMPLETED', authorized: cart.total });
  });

  it('automatic capture (a region setting): a CAPTURE order, the money taken at checkout', async () => {
    await regionCapture(g.t, 'automatic');
    try {
      const cart = await preparedCart(g);
      const orderRef = cart.clientData.orderId as string;
      expect(paypalRecord(g.paypal, orderRef).intent).toBe('CAPTURE');
      await paypalApprove(g.paypal, orderRef);
      const res = await complete(g.t, cart.cartId);
      expect(res.statusCode).toBe(200);
      expect(res.json().payment.status).toBe('captured');
      expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'captured', captured: cart.total });
      expect(paypalRecord(g.paypal, orderRef)).toMatchObject({ status: 'COMPLETED', authorizations: 0 });
      expect(paypalRecord(g.paypal, orderRef).captures.map((c) => c.minor)).toEqual([cart.total]);
      expect((await adminOrder(g.t, res.json().order.id)).paymentStatus).toBe('paid');
    } finally {
      await regionCapture(g.t, 'manual');
    }
  });

  it('a gateway timeout on capture, then the retry: one capture at PayPal', async () => {
    const cart = await preparedCart(g);
    const orderRef = cart.clientData.orderId as string;
    await paypalApprove(g.paypal, orderRef);
    const orderId = (await complete(g.t, cart.cartId)).json().order.id as string;
    g.paypal.faults.push({ match: /\/capture$/, kind: 'slow', delayMs: 5000 });
    const staff = await ownerClient(g.t);
    const first = await staff('POST', `/v1/admin/orders/${orderId}/capture`, {});
    expect(first.statusCode).toBe(503);
    expect(g.paypal.faults).toHaveLength(0);
    // PayPal did capture (only the answer was late).
    expect(paypalRecord(g.paypal, orderRef).captures).toHaveLength(1);
    const retry = await staff('POST', `/v1/admin/orders/${orderId}/capture`, {});
    expect(retry.statusCode).toBeLessThan(300);
    const p = await paymentRow(g.t, cart.paymentId);
    expect(p).toMatchObject({ status: 'captured', captured: cart.total });
    const fake = paypalRecord(g.paypal, orderRef);
    expect(fake.captures.map((c) => c.minor)).toEqual([cart.total]);
    expect((await ledger(g.t, cart.paymentId)).filter((r) => r.kind === 'capture')).toHaveLength(1);
  });

  it('the approval webhook places the order (a buyer who never returns); their late complete answers it: one authorization', async () => {
    const cart = await preparedCart(g);
    const orderRef = cart.clientData.orderId as string;
    const from = eventsOf(g).length;
    await paypalApprove(g.paypal, orderRef);
    const early = eventsOf(g, from);
    expect(early.map((e) => e.type)).toEqual(['CHECKOUT.ORDER.APPROVED']);
    for (const e of early) expect((await deliver(g, e)).statusCode).toBe(200);
    await inboxDrained(g.t);
    // PayPal moves no money on approval alone: the webhook's follow-up completes the cart, which authorizes at PayPal.
    const orderId = await placedOrderOf(cart.cartId);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({
      status: 'authorized',
      authorized: cart.total,
      order_id: orderId,
    });
    const late = eventsOf(g, from + early.length);
    expect(late.map((e) => e.type)).toEqual(['PAYMENT.AUTHORIZATION.CREATED']);
    for (const e of late) expect((await deliver(g, e)).statusCode).toBe(200);
    await inboxDrained(g.t);
    // The buyer comes back after all: the same order.
    const again = await complete(g.t, cart.cartId);
    expect(again.statusCode).toBe(200);
    expect(again.json().order.id).toBe(orderId);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'authorized', authorized: cart.total });
    expect((await ledger(g.t, cart.paymentId)).map((r) => r.kind)).toEqual(['authorization']);
    expect(paypalRecord(g.paypal, orderRef).authorizations).toBe(1);
  });

  /** The cart's order once it is placed (the in-process applier's follow-up runs after the inbox is drained). */
  async function placedOrderOf(cartId: string): Promise<string> {
    for (let i = 0; i < 400; i++) {
      const o = await g.t.db.db
        .selectFrom('order')
        .select(['id', 'status'])
        .where('cart_id', '=', cartId)
        .executeTakeFirst();
      if (o?.status === 'placed') return o.id;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`cart ${cartId}: no placed order`);
  }

  it('webhooks during completion (concurrently): one order, one authorization', async () => {
    const cart = await preparedCart(g);
    const orderRef = cart.clientData.orderId as string;
    const from = eventsOf(g).length;
    await paypalApprove(g.paypal, orderRef);
    const approved = eventsOf(g, from);
    /** Delivers PAYMENT.AUTHORIZATION.CREATED the moment PayPal emits it — while the completes are still running. */
    const authorizationHook = async () => {
      const until = Date.now() + 10_000;
      for (;;) {
        const e = eventsOf(g, from, ['PAYMENT.AUTHORIZATION.CREATED'])[0];
        if (e) return deliver(g, e);
        if (Date.now() > until) throw new Error('no authorization event');
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const [a, b, ...hooks] = await Promise.all([
      complete(g.t, cart.cartId),
      complete(g.t, cart.cartId),
      ...approved.map((e) => deliver(g, e)),
      authorizationHook(),
    ]);
    await inboxDrained(g.t);
    expect([a?.statusCode, b?.statusCode]).toEqual([200, 200]);
    expect(a?.json().order.id).toBe(b?.json().order.id);
    expect(hooks.map((h) => h?.statusCode)).toEqual([200, 200]);
    expect((await ledger(g.t, cart.paymentId)).map((r) => r.kind)).toEqual(['authorization']);
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({
      status: 'authorized',
      authorized: cart.total,
      order_id: a?.json().order.id,
    });
    expect(paypalRecord(g.paypal, orderRef).authorizations).toBe(1);
    const orders = await g.t.db.db.selectFrom('order').select('id').where('cart_id', '=', cart.cartId).execute();
    expect(orders).toHaveLength(1);
  });
});
