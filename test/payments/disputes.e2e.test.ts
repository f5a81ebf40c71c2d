import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  stripeConfirm,
  stripeShop,
} from './gateway-e2e.helpers.js';
import {
  disputeRows,
  outboxFor,
  paypalOpenDispute,
  paypalRecord,
  paypalResolveDispute,
  stripeCloseDispute,
  stripeOpenDispute,
} from './paypal-e2e.helpers.js';

/**
 * Chargebacks end to end, for each gateway: the buyer disputes a captured payment at the gateway, the gateway's
 * webhook reaches Backroom, and the dispute is recorded (payment_dispute), announced (outbox) and shown on the order's
 * timeline; its resolution likewise. Redelivered or re-sent dispute webhooks change nothing.
 */

interface Gateway {
  name: 'stripe' | 'paypal';
  start(): Promise<GatewayShop>;
  /** The buyer's part at the gateway before "complete". */
  pay(g: GatewayShop, clientData: Record<string, string>): Promise<void>;
  /** Opens a dispute over the payment's (only) capture; answers the dispute id. */
  open(g: GatewayShop, providerReference: string): Promise<string>;
  /** Closes it in the merchant's favour. */
  close(g: GatewayShop, disputeId: string): Promise<void>;
  types: { opened: string; closed: string };
  status: { opened: string; closed: string };
  reason: string;
}

const gateways: Gateway[] = [
  {
    name: 'stripe',
    start: () => stripeShop(),
    pay: async (g, data) => {
      if (g.stripe && (await stripeConfirm(g.stripe, data.clientSecret as string)) !== 200) throw new Error('confirm');
    },
    open: (g, ref) => stripeOpenDispute(g.stripe as NonNullable<GatewayShop['stripe']>, ref, 'fraudulent'),
    close: (g, id) => stripeCloseDispute(g.stripe as NonNullable<GatewayShop['stripe']>, id, 'won'),
    types: { opened: 'charge.dispute.created', closed: 'charge.dispute.closed' },
    status: { opened: 'needs_response', closed: 'won' },
    reason: 'fraudulent',
  },
  {
    name: 'paypal',
    start: () => paypalShop(),
    pay: (g, data) => paypalApprove(g.paypal as NonNullable<GatewayShop['paypal']>, data.orderId as string),
    open: (g, ref) => {
      const paypal = g.paypal as NonNullable<GatewayShop['paypal']>;
      const capture = paypalRecord(paypal, ref).captures[0];
      if (!capture) throw new Error('nothing captured');
      return paypalOpenDispute(paypal, capture.id, 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED');
    },
    close: (g, id) =>
      paypalResolveDispute(g.paypal as NonNullable<GatewayShop['paypal']>, id, 'RESOLVED_SELLER_FAVOUR'),
    types: { opened: 'CUSTOMER.DISPUTE.CREATED', closed: 'CUSTOMER.DISPUTE.RESOLVED' },
    status: { opened: 'OPEN', closed: 'RESOLVED' },
    reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
  },
];

/** The same event re-sent by the gateway under a new event id (a new notification about the same dispute state). */
function resent(event: { id: string; body: string }, suffix: string) {
  const id = `${event.id}${suffix}`;
  return { id, body: JSON.stringify({ ...JSON.parse(event.body), id }) };
}

describe.each(gateways)('disputes end to end ($name)', (gw) => {
  let g: GatewayShop;

  beforeAll(async () => {
    g = await gw.start();
  });
  afterAll(() => g.close());

  /** A placed order whose payment was captured in full by staff. */
  async function capturedOrder() {
    const cart = await preparedCart(g);
    await gw.pay(g, cart.clientData);
    const done = await complete(g.t, cart.cartId);
    if (done.statusCode !== 200) throw new Error(`complete: ${done.statusCode} ${done.body}`);
    const orderId = done.json().order.id as string;
    const staff = await ownerClient(g.t);
    const captured = await staff('POST', `/v1/admin/orders/${orderId}/capture`, {});
    if (captured.statusCode >= 300) throw new Error(`capture: ${captured.statusCode} ${captured.body}`);
    const p = await paymentRow(g.t, cart.paymentId);
    expect(p).toMatchObject({ status: 'captured', captured: cart.total });
    return { cart, orderId, reference: p.provider_reference as string };
  }

  const kinds = async (orderId: string, kind: string) =>
    (await adminOrder(g.t, orderId)).timeline.filter((e) => e.kind === kind);

  /** Delivers the gateway's events of one type (recorded since `from`) and waits until they are applied. */
  async function deliverAll(from: number, type: string) {
    const events = eventsOf(g, from, [type]);
    expect(events).toHaveLength(1);
    for (const e of events) expect((await deliver(g, e)).json()).toEqual({ received: true, duplicate: false });
    await inboxDrained(g.t);
    return events;
  }

  it('a dispute opened and closed at the gateway: recorded, announced, on the timeline, once each', async () => {
    const { cart, orderId, reference } = await capturedOrder();
    const from = eventsOf(g).length;
    const disputeId = await gw.open(g, reference);
    const [created] = await deliverAll(from, gw.types.opened);

    expect(await disputeRows(g.t, cart.paymentId)).toEqual([
      {
        provider: gw.name,
        dispute_id: disputeId,
        status: gw.status.opened,
        reason: gw.reason,
        amount: cart.total,
        currency: 'EUR',
        closed_at: null,
      },
    ]);
    const opened = await outboxFor(g.t, 'payment.dispute_opened', orderId);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.payload).toMatchObject({
      paymentId: cart.paymentId,
      orderId,
      disputeId,
      status: gw.status.opened,
      amount: cart.total,
      currency: 'EUR',
    });
    const openedOnTimeline = await kinds(orderId, 'payment.dispute_opened');
    expect(openedOnTimeline).toHaveLength(1);
    expect(openedOnTimeline[0]?.data).toMatchObject({ paymentId: cart.paymentId, disputeId, amount: cart.total });
    expect(await kinds(orderId, 'payment.dispute_closed')).toEqual([]);
    // A dispute moves no money in our ledger: the payment stays captured.
    expect(await paymentRow(g.t, cart.paymentId)).toMatchObject({ status: 'captured', refunded: 0 });

    const closeFrom = eventsOf(g).length;
    await gw.close(g, disputeId);
    const [closedEvent] = await deliverAll(closeFrom, gw.types.closed);
    const [row] = await disputeRows(g.t, cart.paymentId);
    expect(row).toMatchObject({ dispute_id: disputeId, status: gw.status.closed });
    expect(row?.closed_at).toBeInstanceOf(Date);
    const closed = await outboxFor(g.t, 'payment.dispute_closed', orderId);
    expect(closed.map((e) => e.payload)).toEqual([expect.objectContaining({ disputeId, status: gw.status.closed })]);
    expect(await kinds(orderId, 'payment.dispute_closed')).toHaveLength(1);

    // The same webhooks again (redelivered, and re-sent under new event ids): nothing more is recorded.
    for (const e of [created, closedEvent]) {
      if (!e) throw new Error('missing event');
      expect((await deliver(g, e)).json()).toEqual({ received: true, duplicate: true });
    }
    expect((await deliver(g, resent(closedEvent as { id: string; body: string }, '-again'))).statusCode).toBe(200);
    await inboxDrained(g.t);
    expect(await kinds(orderId, 'payment.dispute_opened')).toHaveLength(1);
    expect(await kinds(orderId, 'payment.dispute_closed')).toHaveLength(1);
    expect(await outboxFor(g.t, 'payment.dispute_opened', orderId)).toHaveLength(1);
    expect(await outboxFor(g.t, 'payment.dispute_closed', orderId)).toHaveLength(1);
    const [after] = await disputeRows(g.t, cart.paymentId);
    expect(after).toMatchObject({ status: gw.status.closed, closed_at: row?.closed_at });
    expect((await adminOrder(g.t, orderId)).paymentStatus).toBe('paid');
  }, 60_000);

  // PRODUCT BUG (src/modules/payments/webhooks.apply.ts, applyDispute, onConflict ~l.222-226): the upsert overwrites
  // any row whose status differs, so a late "opened" event reopens a closed dispute (status back to open, closed_at
  // null, a second payment.dispute_opened). Gateways do not promise event order. Remove `.fails` once fixed.
  it('dispute webhooks out of order (closed arrives before opened): the dispute ends closed', async () => {
    const { cart, orderId, reference } = await capturedOrder();
    const from = eventsOf(g).length;
    const disputeId = await gw.open(g, reference);
    await gw.close(g, disputeId);
    const [created] = eventsOf(g, from, [gw.types.opened]);
    const [closedEvent] = eventsOf(g, from, [gw.types.closed]);
    if (!created || !closedEvent) throw new Error('missing dispute events');
    expect((await deliver(g, closedEvent)).statusCode).toBe(200);
    await inboxDrained(g.t);
    expect(await disputeRows(g.t, cart.paymentId)).toMatchObject([{ dispute_id: disputeId, status: gw.status.closed }]);
    // The late "opened" notification is older news: the gateway has closed the dispute.
    expect((await deliver(g, created)).statusCode).toBe(200);
    await inboxDrained(g.t);
    const [row] = await disputeRows(g.t, cart.paymentId);
    expect(row?.status).toBe(gw.status.closed);
    expect(row?.closed_at).toBeInstanceOf(Date);
    expect(await kinds(orderId, 'payment.dispute_closed')).toHaveLength(1);
  });
});
