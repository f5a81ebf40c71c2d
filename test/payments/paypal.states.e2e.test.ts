import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FakePayPal } from '../../src/fake-gateways/paypal/index.js';
import {
  createPaymentProviders,
  reconcilePendingOperations,
  verifyPaymentLedger,
} from '../../src/modules/payments/index.js';
import { paypalProvider } from '../../src/modules/payments/providers/paypal.js';
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
import { ledger, outboxFor } from './paypal-e2e.helpers.js';

/**
 * The states real PayPal produces after (or instead of) a plain answer, driven end to end: Backroom over HTTP, the
 * real adapter, the fake PayPal staging PayPal's decision and sending its signed webhooks. After each: captured and
 * refunded as PayPal has them, the ledger agreeing with the totals, the order's payment status re-derived.
 */
describe('PayPal states end to end', () => {
  let g: GatewayShop & { paypal: FakePayPal };

  beforeAll(async () => {
    g = await paypalShop();
  });
  afterAll(() => g.close());

  const eur = (amount: number) => ({ amount: { amount, currency: 'EUR' } });

  /** A placed order whose PayPal authorization covers the cart. */
  async function authorizedOrder() {
    const cart = await preparedCart(g);
    const orderRef = cart.clientData.orderId as string;
    await paypalApprove(g.paypal, orderRef);
    const done = await complete(g.t, cart.cartId);
    expect(done.statusCode).toBe(200);
    return { ...cart, orderRef, orderId: done.json().order.id as string, staff: await ownerClient(g.t) };
  }

  /** Delivers every event PayPal sent since `from` (of `types`, if given) and waits until they are applied. */
  async function deliverSince(from: number, types?: string[]) {
    const events = eventsOf(g, from, types);
    for (const e of events) expect((await deliver(g, e)).statusCode).toBe(200);
    await inboxDrained(g.t);
    return events.map((e) => e.type);
  }

  const settingsOf = (paypal: FakePayPal) => ({
    clientId: 'paypal-client-backroom',
    clientSecret: 'paypal-secret-backroom',
    webhookId: 'WH-FAKE-BACKROOM',
    environment: 'sandbox' as const,
    apiBase: paypal.url,
  });

  const captureIds = (orderRef: string) => g.paypal.store.orders.get(orderRef)?.captureIds ?? [];

  it('capture PENDING is not captured until PAYMENT.CAPTURE.COMPLETED; then counted once', async () => {
    const o = await authorizedOrder();
    const from = eventsOf(g).length;
    g.paypal.next.capture = 'PENDING';
    const res = await o.staff('POST', `/v1/admin/orders/${o.orderId}/capture`, {});
    // No final answer yet: retryable, nothing counted.
    expect(res.statusCode).toBe(503);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'authorized', captured: 0 });
    expect(await deliverSince(from)).toEqual(['PAYMENT.CAPTURE.PENDING']);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ captured: 0 });
    // Asking again while PayPal still holds it changes nothing either.
    expect((await o.staff('POST', `/v1/admin/orders/${o.orderId}/capture`, {})).statusCode).toBe(503);
    expect(captureIds(o.orderRef)).toHaveLength(1);

    const settled = eventsOf(g).length;
    g.paypal.settleCapture(captureIds(o.orderRef)[0] ?? '', 'COMPLETED');
    expect(await deliverSince(settled)).toEqual(['PAYMENT.CAPTURE.COMPLETED']);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'captured', captured: o.total });
    expect((await ledger(g.t, o.paymentId)).filter((r) => r.kind === 'capture')).toEqual([
      { kind: 'capture', status: 'succeeded', amount: o.total },
    ]);
    expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
    expect((await adminOrder(g.t, o.orderId)).paymentStatus).toBe('paid');
  });

  it('capture PENDING then DECLINED: nothing captured, the authorization capturable again', async () => {
    const o = await authorizedOrder();
    g.paypal.next.capture = 'PENDING';
    expect((await o.staff('POST', `/v1/admin/orders/${o.orderId}/capture`, {})).statusCode).toBe(503);
    const from = eventsOf(g).length;
    g.paypal.settleCapture(captureIds(o.orderRef)[0] ?? '', 'DECLINED');
    expect(await deliverSince(from)).toEqual(['PAYMENT.CAPTURE.DECLINED']);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'authorized', captured: 0 });
    const captures = (await ledger(g.t, o.paymentId)).filter((r) => r.kind === 'capture');
    expect(captures.filter((r) => r.status === 'succeeded')).toEqual([]);
    // The money is still held at PayPal: a new capture takes it.
    const again = await o.staff('POST', `/v1/admin/orders/${o.orderId}/capture`, {});
    expect(again.statusCode).toBeLessThan(300);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'captured', captured: o.total });
    expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
  });

  it('capture DECLINED at once: the staff call is declined, nothing captured', async () => {
    const o = await authorizedOrder();
    g.paypal.next.capture = 'DECLINED';
    const res = await o.staff('POST', `/v1/admin/orders/${o.orderId}/capture`, {});
    expect(res.statusCode).toBe(402);
    expect(res.json()).toMatchObject({ code: 'PAYMENT_DECLINED', declineCode: 'DECLINED' });
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'authorized', captured: 0 });
    await deliverSince(0, ['PAYMENT.CAPTURE.DECLINED']);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ captured: 0 });
    expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
    expect((await adminOrder(g.t, o.orderId)).paymentStatus).not.toBe('paid');
  });

  it('refund PENDING counts as refunded; PAYMENT.REFUND.FAILED takes it back out of the ledger', async () => {
    const o = await authorizedOrder();
    expect((await o.staff('POST', `/v1/admin/orders/${o.orderId}/capture`, {})).statusCode).toBeLessThan(300);
    g.paypal.next.refund = 'PENDING';
    const from = eventsOf(g).length;
    const res = await o.staff('POST', `/v1/admin/orders/${o.orderId}/refunds`, eur(1000));
    expect(res.statusCode).toBe(201);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'partially_refunded', refunded: 1000 });
    expect(await deliverSince(from)).toEqual(['PAYMENT.REFUND.PENDING']);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ refunded: 1000 });

    const refundId = g.paypal.store.captures.get(captureIds(o.orderRef)[0] ?? '')?.refundIds[0] ?? '';
    const failedAt = eventsOf(g).length;
    g.paypal.settleRefund(refundId, 'FAILED');
    expect(await deliverSince(failedAt)).toEqual(['PAYMENT.REFUND.FAILED']);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'captured', captured: o.total, refunded: 0 });
    const rows = (await ledger(g.t, o.paymentId)).filter((r) => r.kind !== 'authorization');
    expect(rows.map((r) => [r.kind, r.amount])).toEqual([
      ['capture', o.total],
      ['refund', 1000],
      ['refund_reversal', 1000],
    ]);
    // Redelivered: taken back once.
    await deliverSince(failedAt);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ refunded: 0 });
    expect(await outboxFor(g.t, 'payment.refund_failed', o.orderId)).toHaveLength(1);
    expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
    expect((await adminOrder(g.t, o.orderId)).paymentStatus).toBe('paid');
    // PayPal has the money back on the capture: it can be refunded again.
    expect((await o.staff('POST', `/v1/admin/orders/${o.orderId}/refunds`, eur(1000))).statusCode).toBe(201);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ refunded: 1000 });
  });

  it("a refund made in PayPal's dashboard is matched through its capture (up link), counted once", async () => {
    const o = await authorizedOrder();
    expect((await o.staff('POST', `/v1/admin/orders/${o.orderId}/capture`, {})).statusCode).toBeLessThan(300);
    const from = eventsOf(g).length;
    g.paypal.takeBack(captureIds(o.orderRef)[0] ?? '', 'refund', 700);
    const [event] = eventsOf(g, from);
    // PayPal's refund resource: no custom_id, no invoice_id, no order id — only the capture, by its up link.
    const resource = JSON.parse(event?.body ?? '{}').resource;
    expect(resource).not.toHaveProperty('custom_id');
    expect(resource).not.toHaveProperty('supplementary_data');
    await deliverSince(from);
    await deliverSince(from);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'partially_refunded', refunded: 700 });
    expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
    expect((await adminOrder(g.t, o.orderId)).paymentStatus).toBe('partially_refunded');
  });

  it('PAYMENT.CAPTURE.REVERSED: the money taken back is a compensating row, status re-derived, event emitted', async () => {
    const o = await authorizedOrder();
    expect((await o.staff('POST', `/v1/admin/orders/${o.orderId}/capture`, {})).statusCode).toBeLessThan(300);
    const from = eventsOf(g).length;
    g.paypal.takeBack(captureIds(o.orderRef)[0] ?? '', 'reversal');
    expect(await deliverSince(from)).toEqual(['PAYMENT.CAPTURE.REVERSED']);
    await deliverSince(from);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({
      status: 'refunded',
      captured: o.total,
      refunded: o.total,
    });
    const rows = (await ledger(g.t, o.paymentId)).filter((r) => r.kind !== 'authorization');
    expect(rows.map((r) => [r.kind, r.amount])).toEqual([
      ['capture', o.total],
      ['refund', o.total],
    ]);
    expect(await outboxFor(g.t, 'payment.reversed', o.orderId)).toHaveLength(1);
    expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
    expect((await adminOrder(g.t, o.orderId)).paymentStatus).toBe('refunded');
  });

  it('automatic capture: the capture webhook after checkout is that capture; a reversal of it is matched', async () => {
    await regionCapture(g.t, 'automatic');
    try {
      const from = eventsOf(g).length;
      const cart = await preparedCart(g);
      const orderRef = cart.clientData.orderId as string;
      await paypalApprove(g.paypal, orderRef);
      const done = await complete(g.t, cart.cartId);
      expect(done.statusCode).toBe(200);
      const orderId = done.json().order.id as string;
      // Every event PayPal sent, twice: the capture is the one recorded at checkout, not a second one.
      await deliverSince(from);
      await deliverSince(from);
      expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'captured', captured: cart.total });
      const stuck = await g.t.db.db
        .selectFrom('payment_webhook_event')
        .select(['provider_type', 'last_error'])
        .where('status', 'in', ['pending', 'failed'])
        .execute();
      expect(stuck).toEqual([]);
      // PayPal takes part of it back: no id of ours on the reversal, only its capture.
      const reversedAt = eventsOf(g).length;
      g.paypal.takeBack(captureIds(orderRef)[0] ?? '', 'reversal', 1000);
      await deliverSince(reversedAt);
      expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'partially_refunded', refunded: 1000 });
      expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
      expect((await adminOrder(g.t, orderId)).paymentStatus).toBe('partially_refunded');
    } finally {
      await regionCapture(g.t, 'manual');
    }
  });

  it('automatic capture held PENDING at checkout: nothing captured until PAYMENT.CAPTURE.COMPLETED places it', async () => {
    await regionCapture(g.t, 'automatic');
    try {
      const cart = await preparedCart(g);
      const orderRef = cart.clientData.orderId as string;
      await paypalApprove(g.paypal, orderRef);
      const from = eventsOf(g).length;
      g.paypal.next.capture = 'PENDING';
      const res = await complete(g.t, cart.cartId);
      // The order waits: PayPal has not taken the money yet.
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('PAYMENT_PROCESSING');
      expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ captured: 0 });
      await deliverSince(from);
      expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ captured: 0 });
      const settled = eventsOf(g).length;
      g.paypal.settleCapture(captureIds(orderRef)[0] ?? '', 'COMPLETED');
      expect(await deliverSince(settled)).toEqual(['PAYMENT.CAPTURE.COMPLETED']);
      expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'captured', captured: cart.total });
      const placed = await complete(g.t, cart.cartId);
      expect(placed.statusCode).toBe(200);
      expect(placed.json().order.status).toBe('placed');
      expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
      expect((await adminOrder(g.t, placed.json().order.id)).paymentStatus).toBe('paid');
    } finally {
      await regionCapture(g.t, 'manual');
    }
  });

  it('PREVIOUS_REQUEST_IN_PROGRESS is "no answer yet": the worker retries later, the refund is counted once', async () => {
    const o = await authorizedOrder();
    expect((await o.staff('POST', `/v1/admin/orders/${o.orderId}/capture`, {})).statusCode).toBeLessThan(300);
    // PayPal takes longer than our deadline (4 s) to process the refund.
    g.paypal.slowWork.push({ match: /\/refund$/, delayMs: 6000 });
    const first = await o.staff('POST', `/v1/admin/orders/${o.orderId}/refunds`, eur(500));
    expect(first.statusCode).toBe(503);
    // The worker repeats the call (same PayPal-Request-Id) while PayPal is still at it: 409 PREVIOUS_REQUEST_IN_PROGRESS
    // is no answer yet — the operation stays pending, nothing is counted or failed.
    const worker = {
      db: g.t.db.db,
      providers: createPaymentProviders({ manual: false, extra: [paypalProvider(settingsOf(g.paypal))] }),
      providerTimeoutMs: 4000,
    };
    const op = () =>
      g.t.db.db
        .selectFrom('payment_operation')
        .select(['status', 'last_error'])
        .where('payment_id', '=', o.paymentId)
        .where('kind', '=', 'refund')
        .executeTakeFirstOrThrow();
    const due = () =>
      g.t.db.db
        .updateTable('payment_operation')
        .set({ lease_until: new Date(0) })
        .where('payment_id', '=', o.paymentId)
        .execute();
    await due();
    expect(await reconcilePendingOperations(worker)).toMatchObject({ claimed: 1, pending: 1, failed: 0 });
    expect(await op()).toMatchObject({ status: 'pending', last_error: expect.stringMatching(/still in progress/) });
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ refunded: 0 });
    // Once PayPal has finished, the next retry gets the first request's result.
    await vi.waitUntil(
      () => (g.paypal.store.captures.get(captureIds(o.orderRef)[0] ?? '')?.refundIds.length ?? 0) > 0,
      {
        timeout: 10_000,
      },
    );
    await due();
    expect(await reconcilePendingOperations(worker)).toMatchObject({ claimed: 1, succeeded: 1 });
    expect(await op()).toMatchObject({ status: 'succeeded' });
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ refunded: 500 });
    expect(g.paypal.store.captures.get(captureIds(o.orderRef)[0] ?? '')?.refundIds).toHaveLength(1);
    expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
  }, 30_000);

  it('an access token PayPal no longer accepts (401 invalid_token) is replaced and the call retried once', async () => {
    const o = await authorizedOrder();
    g.paypal.expireTokens();
    const res = await o.staff('POST', `/v1/admin/orders/${o.orderId}/capture`, {});
    expect(res.statusCode).toBeLessThan(300);
    expect(await paymentRow(g.t, o.paymentId)).toMatchObject({ status: 'captured', captured: o.total });
    expect(captureIds(o.orderRef)).toHaveLength(1);
    expect(await verifyPaymentLedger(g.t.db.db)).toEqual([]);
  });
});
