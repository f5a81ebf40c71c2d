import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPaymentLedger } from '../../src/modules/payments/index.js';
import { ownerClient } from '../checkout/checkout.helpers.js';
import {
  adminOrder,
  complete,
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
 * Refunds real Stripe takes back: a refund answered `pending` (or even `succeeded`) can later fail or be cancelled,
 * and Stripe says so with `refund.failed`, `refund.updated` and `charge.refund.updated`. Driven over HTTP through the
 * real adapter and the fake Stripe; afterwards captured/refunded, the ledger and the order's payment status agree
 * with Stripe's charge.
 */
describe('Stripe refunds that fail or are cancelled after Stripe accepted them', () => {
  let g: GatewayShop & { stripe: NonNullable<GatewayShop['stripe']> };
  beforeAll(async () => {
    g = await stripeShop();
  });
  afterAll(() => g.close());

  /** A captured order: its id, payment, total. */
  async function capturedOrder() {
    const cart = await preparedCart(g);
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    const orderId = (await complete(g.t, cart.cartId)).json().order.id as string;
    const staff = await ownerClient(g.t);
    expect((await staff('POST', `/v1/admin/orders/${orderId}/capture`, {})).statusCode).toBeLessThan(300);
    return { orderId, paymentId: cart.paymentId, total: cart.total, staff };
  }

  const refundIdsSince = (from: number) =>
    eventsOf(g, from, ['refund.created']).map(
      (e) => (JSON.parse(e.body) as { data: { object: { id: string } } }).data.object.id,
    );

  async function settleRefund(refundId: string, status: 'failed' | 'canceled' | 'succeeded') {
    const res = await fetch(`${g.stripe.url}/_fake/refunds/${refundId}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status }),
    });
    expect(res.status).toBe(200);
    return res.json() as Promise<{ status: string }>;
  }

  /** Every event since `from`, in order; the refund news twice (Stripe retries; a replay changes nothing). */
  async function deliverAll(from: number) {
    for (const e of eventsOf(g, from)) {
      expect((await deliver(g, e)).statusCode).toBe(200);
      if (e.type.includes('refund.')) expect((await deliver(g, e)).json().duplicate).toBe(true);
    }
    await inboxDrained(g.t);
  }

  const chargeOf = async (paymentId: string) => {
    const p = await paymentRow(g.t, paymentId);
    const pi = g.stripe.intents().find((i) => i.id === p.provider_reference);
    const res = await fetch(`${g.stripe.url}/v1/charges/${pi?.latest_charge}`, {
      headers: { authorization: 'Bearer sk_test_backroom' },
    });
    return res.json() as Promise<{ amount_refunded: number }>;
  };

  const outboxTypes = async (paymentId: string) =>
    (
      await g.t.db.db
        .selectFrom('outbox_event')
        .select('type')
        .where('aggregate_id', '=', paymentId)
        .orderBy('id')
        .execute()
    ).map((r) => r.type);

  const ledger = async (paymentId: string) =>
    (
      await g.t.db.db
        .selectFrom('payment_transaction')
        .select(['kind', 'status', 'amount'])
        .where('payment_id', '=', paymentId)
        .orderBy('id')
        .execute()
    ).map((r) => [r.kind, r.status, Number(r.amount)]);

  it('a pending refund that fails: counted when Stripe accepts it, taken back when it fails, once', async () => {
    const o = await capturedOrder();
    const from = g.stripe.events.length;
    g.stripe.refundStatuses.push('pending');
    const refund = await o.staff('POST', `/v1/admin/orders/${o.orderId}/refunds`, {
      amount: { amount: o.total, currency: 'EUR' },
    });
    expect(refund.statusCode).toBe(201);
    const [refundId] = refundIdsSince(from);
    // Stripe accepted it (pending): the money is on its way out, so it counts.
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'refunded', refunded: o.total });
    expect((await adminOrder(g.t, o.orderId)).paymentStatus).toBe('refunded');

    expect((await settleRefund(refundId as string, 'failed')).status).toBe('failed');
    await deliverAll(from);

    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'captured', captured: o.total, refunded: 0 });
    expect((await chargeOf(o.paymentId)).amount_refunded).toBe(0);
    expect(await ledger(o.paymentId)).toEqual([
      ['authorization', 'succeeded', o.total],
      ['capture', 'succeeded', o.total],
      ['refund', 'succeeded', o.total],
      ['refund_reversal', 'succeeded', o.total],
    ]);
    expect((await outboxTypes(o.paymentId)).filter((t) => t === 'payment.refund_failed')).toHaveLength(1);
    expect((await adminOrder(g.t, o.orderId)).paymentStatus).not.toBe('refunded');
    expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);

    // The buyer is still owed the money: refunding again works and counts once.
    const again = g.stripe.events.length;
    const retry = await o.staff('POST', `/v1/admin/orders/${o.orderId}/refunds`, {
      amount: { amount: o.total, currency: 'EUR' },
    });
    expect(retry.statusCode).toBe(201);
    await deliverAll(again);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'refunded', refunded: o.total });
    expect((await chargeOf(o.paymentId)).amount_refunded).toBe(o.total);
    expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
  }, 90_000);

  it('a pending partial refund that is cancelled: the payment is back to captured, the other refund stays', async () => {
    const o = await capturedOrder();
    const from = g.stripe.events.length;
    await o.staff('POST', `/v1/admin/orders/${o.orderId}/refunds`, { amount: { amount: 500, currency: 'EUR' } });
    g.stripe.refundStatuses.push('pending');
    await o.staff('POST', `/v1/admin/orders/${o.orderId}/refunds`, { amount: { amount: 700, currency: 'EUR' } });
    expect((await paymentRow(g.t, o.paymentId)).refunded).toBe(1200);
    const [, pendingId] = refundIdsSince(from);
    await settleRefund(pendingId as string, 'canceled');
    await deliverAll(from);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'partially_refunded', refunded: 500 });
    expect((await chargeOf(o.paymentId)).amount_refunded).toBe(500);
    expect((await adminOrder(g.t, o.orderId)).paymentStatus).toBe('partially_refunded');
    expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
  });

  it("a refund made in Stripe's dashboard that later fails: counted from charge.refunded, then taken back", async () => {
    const o = await capturedOrder();
    const p = await paymentRow(g.t, o.paymentId);
    const from = g.stripe.events.length;
    // Not through Backroom: straight at Stripe with the secret key, as the dashboard does.
    const res = await fetch(`${g.stripe.url}/v1/refunds`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_backroom', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ payment_intent: p.provider_reference as string, amount: '300' }).toString(),
    });
    const refundId = ((await res.json()) as { id: string }).id;
    await settleRefund(refundId, 'failed');
    await deliverAll(from);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'captured', refunded: 0 });
    expect((await ledger(o.paymentId)).map(([kind]) => kind)).toEqual([
      'authorization',
      'capture',
      'refund',
      'refund_reversal',
    ]);
    expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
  });
});
