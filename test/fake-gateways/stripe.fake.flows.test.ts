import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../src/fake-gateways/stripe/index.js';
import { errorOf, manualIntentOf, PK, post, type Receiver, sdkFor, useFakeStripeSuite } from './stripe.fake.support.js';

/**
 * The fake Stripe's payment flows, spoken to with the official SDK and raw form posts: 3-D Secure, browser
 * confirmation, capture, refunds, cancellation, updates, listing, disputes and signed webhooks.
 */

describe('fake Stripe: payment flows', () => {
  let fake: FakeStripe;
  let stripe: Stripe;
  let receiver: Receiver;

  useFakeStripeSuite((s) => {
    ({ fake, stripe, receiver } = s);
  });

  const manualIntent = manualIntentOf(() => stripe);

  it('walks 3-D Secure cards through requires_action to success or failure', async () => {
    const pass = await manualIntent(3000);
    const challenged = await stripe.paymentIntents.confirm(pass.id, {
      payment_method: 'pm_card_threeDSecure2Required',
    });
    expect(challenged.status).toBe('requires_action');
    expect(challenged.next_action?.type).toBe('use_stripe_sdk');
    const passed = await post(fake, `/_fake/payment_intents/${pass.id}/3ds`, { outcome: 'succeed' }, { key: null });
    expect(passed.body).toMatchObject({ status: 'requires_capture', amount_capturable: 3000, next_action: null });

    const fail = await manualIntent(3000);
    await stripe.paymentIntents.confirm(fail.id, { payment_method: 'pm_card_authenticationRequired' });
    const failed = await fetch(`${fake.url}/_fake/payment_intents/${fail.id}/3ds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'fail' }),
    });
    const body = (await failed.json()) as Stripe.PaymentIntent;
    expect(body.status).toBe('requires_payment_method');
    expect(body.last_payment_error?.code).toBe('payment_intent_authentication_failure');
  });

  it('lets the browser confirm with the publishable key and the client secret only', async () => {
    const pi = await manualIntent(1500);
    const noSecret = await post(
      fake,
      `/v1/payment_intents/${pi.id}/confirm`,
      { payment_method: 'pm_card_visa' },
      { key: PK },
    );
    expect(noSecret.status).toBe(400);
    expect(errorOf(noSecret.body).param).toBe('client_secret');
    const ok = await post(
      fake,
      `/v1/payment_intents/${pi.id}/confirm`,
      { payment_method: 'pm_card_visa', client_secret: pi.client_secret ?? '' },
      { key: PK },
    );
    expect(ok.body).toMatchObject({ status: 'requires_capture', amount_capturable: 1500 });
    expect(String(ok.body.latest_charge)).toMatch(/^ch_/);
  });

  it('captures once, from requires_capture only, up to the capturable amount', async () => {
    const pi = await manualIntent(5000, { metadata: { backroom_payment_id: 'pay_cap' } });
    const early = await stripe.paymentIntents.capture(pi.id).catch((e: unknown) => e);
    expect(early).toMatchObject({ code: 'payment_intent_unexpected_state', statusCode: 400 });
    await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    const tooMuch = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 5001 }).catch((e: unknown) => e);
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 3000 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 3000, amount_capturable: 0 });
    const charge = await stripe.charges.retrieve(String(captured.latest_charge));
    expect(charge).toMatchObject({ amount_captured: 3000, captured: true, payment_intent: pi.id });
    expect(charge.metadata.backroom_payment_id).toBe('pay_cap');
    const again = await stripe.paymentIntents.capture(pi.id).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'payment_intent_unexpected_state' });
  });

  it('refunds in parts, refuses more than is left, and lists refunds', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 4000,
      currency: 'eur',
      confirm: true,
      payment_method: 'pm_card_visa',
      metadata: { backroom_payment_id: 'pay_ref' },
    });
    expect(pi.status).toBe('succeeded');
    const r1 = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000, metadata: { backroom_key: 'k1' } });
    expect(r1).toMatchObject({ object: 'refund', amount: 1000, status: 'succeeded', payment_intent: pi.id });
    expect(r1.metadata?.backroom_key).toBe('k1');
    await stripe.refunds.create({ payment_intent: pi.id, amount: 2500 });
    const over = await stripe.refunds.create({ payment_intent: pi.id, amount: 600 }).catch((e: unknown) => e);
    expect(over).toMatchObject({ statusCode: 400, param: 'amount', type: 'StripeInvalidRequestError' });
    expect((over as Error).message).toBe('Refund amount (€6.00) is greater than unrefunded amount on charge (€5.00)');
    const rest = await stripe.refunds.create({ payment_intent: pi.id });
    expect(rest.amount).toBe(500);
    const charge = await stripe.charges.retrieve(String(pi.latest_charge));
    expect(charge).toMatchObject({ amount_refunded: 4000, refunded: true });
    const none = await stripe.refunds.create({ payment_intent: pi.id }).catch((e: unknown) => e);
    expect(none).toMatchObject({ code: 'charge_already_refunded' });
    const listed = await stripe.refunds.list({ payment_intent: pi.id });
    expect(listed.data.map((r) => r.amount)).toEqual([500, 2500, 1000]);

    const uncaptured = await manualIntent(100);
    const nothing = await stripe.refunds.create({ payment_intent: uncaptured.id }).catch((e: unknown) => e);
    expect(nothing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it('cancels only intents that are not finished', async () => {
    const pi = await manualIntent(800);
    await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'requested_by_customer' });
    expect(canceled).toMatchObject({
      status: 'canceled',
      amount_capturable: 0,
      cancellation_reason: 'requested_by_customer',
    });
    expect(canceled.canceled_at).toBeGreaterThan(0);
    const twice = await stripe.paymentIntents.cancel(pi.id).catch((e: unknown) => e);
    expect(twice).toMatchObject({ code: 'payment_intent_unexpected_state' });
    expect((twice as Stripe.errors.StripeError).payment_intent?.status).toBe('canceled');
  });

  it('updates amount and metadata before confirmation only', async () => {
    const pi = await manualIntent(100, { metadata: { a: '1', b: '2' } });
    const updated = await stripe.paymentIntents.update(pi.id, { amount: 150, metadata: { b: '', c: '3' } });
    expect(updated.amount).toBe(150);
    expect(updated.metadata).toEqual({ a: '1', c: '3' });
    await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    const late = await stripe.paymentIntents.update(pi.id, { amount: 200 }).catch((e: unknown) => e);
    expect(late).toMatchObject({ code: 'payment_intent_unexpected_state' });
  });

  it('lists intents newest first, filtered by created, and paginates', async () => {
    const since = Math.floor(Date.now() / 1000);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await manualIntent(10 + i)).id);
    const page = await stripe.paymentIntents.list({ created: { gte: since }, limit: 2 });
    expect(page.data.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const p of stripe.paymentIntents.list({ created: { gte: since }, limit: 2 })) all.push(p.id);
    expect(all.slice(0, 3)).toEqual([ids[2], ids[1], ids[0]]);
    const future = await stripe.paymentIntents.list({ created: { gte: since + 3600 } });
    expect(future.data).toEqual([]);
  });

  it('opens and closes disputes on a captured charge', async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 999,
      currency: 'eur',
      confirm: true,
      payment_method: 'pm_card_visa',
    });
    const opened = await post(
      fake,
      `/_fake/payment_intents/${pi.id}/dispute`,
      { reason: 'product_not_received' },
      { key: null },
    );
    expect(opened.body).toMatchObject({
      object: 'dispute',
      amount: 999,
      status: 'needs_response',
      charge: pi.latest_charge,
    });
    const closed = await post(
      fake,
      `/_fake/disputes/${String(opened.body.id)}/close`,
      { status: 'lost' },
      { key: null },
    );
    expect(closed.body.status).toBe('lost');
    const types = fake.events.filter((e) => e.body.includes(String(opened.body.id))).map((e) => e.type);
    expect(types).toEqual(['charge.dispute.created', 'charge.dispute.closed']);
  });

  it('signs webhooks so the SDK verifies them, and delivers them in creation order', async () => {
    await fake.settled();
    expect(receiver.received.length).toBe(fake.events.length);
    expect(receiver.received.map((r) => (JSON.parse(r.body) as { id: string }).id)).toEqual(
      fake.events.map((e) => e.id),
    );
    for (const r of receiver.received.slice(0, 5)) {
      const event = stripe.webhooks.constructEvent(r.body, r.signature, 'whsec_backroom');
      expect(event.object).toBe('event');
    }
    const last = receiver.received.at(-1);
    expect(() => stripe.webhooks.constructEvent(last?.body ?? '', last?.signature ?? '', 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    const refunded = fake.events.find((e) => e.type === 'charge.refunded');
    const event = JSON.parse(refunded?.body ?? '{}') as Stripe.ChargeRefundedEvent;
    expect(event.data.object.metadata.backroom_payment_id).toBe('pay_ref');
    expect(event.request?.id).toMatch(/^req_/);
  });

  it('holds webhooks until a test delivers them, freshly signed', async () => {
    const held = await startFakeStripe({ webhookUrl: receiver.url, holdWebhooks: true, webhookSecret: 'whsec_held' });
    try {
      const sdk = sdkFor(held);
      const before = receiver.received.length;
      await sdk.paymentIntents.create({ amount: 100, currency: 'eur' });
      await held.settled();
      expect(receiver.received.length).toBe(before);
      const [event] = held.events;
      expect(await held.deliver(event?.id ?? '')).toBe(200);
      const got = receiver.received.at(-1);
      expect(got?.body).toBe(event?.body);
      expect(sdk.webhooks.constructEvent(got?.body ?? '', got?.signature ?? '', 'whsec_held').id).toBe(event?.id);
      const old = held.signatureHeader('{}', { timestamp: 1000 });
      expect(old).toMatch(/^t=1000,v1=[0-9a-f]{64}$/);
    } finally {
      await held.close();
    }
  });
});
