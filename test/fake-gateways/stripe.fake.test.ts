import { createServer, type Server } from 'node:http';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../src/fake-gateways/stripe/index.js';

/**
 * The fake Stripe on its own, spoken to with the official SDK (as the adapter does) and with raw form posts (as
 * Stripe.js in a browser does). The adapter's tests build on these rules.
 */

const SK = 'sk_test_backroom';
const PK = 'pk_test_backroom';

/** A webhook endpoint that records what it receives. */
async function startReceiver() {
  const received: { body: string; signature: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString(), signature: String(req.headers['stripe-signature']) });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const close = () => new Promise<void>((r) => server.close(() => r()));
  return { url: `http://127.0.0.1:${port}/webhooks/stripe`, received, close };
}

const sdkFor = (fake: FakeStripe, key = SK) =>
  new Stripe(key, { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });

/** A raw form POST, as Stripe.js or curl would send it. */
async function post(
  fake: FakeStripe,
  path: string,
  form: Record<string, string>,
  opts: { key?: string | null; idempotencyKey?: string } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const key = opts.key === undefined ? SK : opts.key;
  const res = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const errorOf = (body: Record<string, unknown>) => body.error as Record<string, unknown>;

describe('fake Stripe', () => {
  let fake: FakeStripe;
  let stripe: Stripe;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    fake = await startFakeStripe({ webhookUrl: receiver.url });
    stripe = sdkFor(fake);
  });
  afterAll(async () => {
    await fake.close();
    await receiver.close();
  });
  afterEach(() => {
    fake.faults.length = 0;
  });

  const manualIntent = (amount = 5000, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
    stripe.paymentIntents.create({ amount, currency: 'eur', capture_method: 'manual', ...extra });

  it('requires the secret key and never echoes it whole', async () => {
    const none = await post(fake, '/v1/payment_intents', { amount: '100', currency: 'eur' }, { key: null });
    expect(none.status).toBe(401);
    const wrong = await post(
      fake,
      '/v1/payment_intents',
      { amount: '100', currency: 'eur' },
      { key: 'sk_test_wrongsecret99' },
    );
    expect(wrong.status).toBe(401);
    expect(errorOf(wrong.body).type).toBe('invalid_request_error');
    expect(String(errorOf(wrong.body).message)).toMatch(/^Invalid API Key provided: sk_test_\*+et99$/);
    const publishable = await post(fake, '/v1/payment_intents', { amount: '100', currency: 'eur' }, { key: PK });
    expect(publishable.status).toBe(401);
    await expect(sdkFor(fake, 'sk_test_other').paymentIntents.list()).rejects.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    );
  });

  it('rolls the secret key as the dashboard does: the new key works, the old one is refused at once', async () => {
    const own = await startFakeStripe();
    try {
      const res = await fetch(`${own.url}/_fake/keys/roll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ secretKey: 'sk_test_rolled_123' }),
      });
      expect(await res.json()).toEqual({ secretKey: 'sk_test_rolled_123' });
      expect((await post(own, '/v1/payment_intents', { amount: '100', currency: 'eur' })).status).toBe(401);
      const rolled = await post(
        own,
        '/v1/payment_intents',
        { amount: '100', currency: 'eur' },
        { key: 'sk_test_rolled_123' },
      );
      expect(rolled.status).toBe(200);
    } finally {
      await own.close();
    }
  });

  it('creates PaymentIntents in the SDK wire format, bracket metadata included', async () => {
    const pi = await manualIntent(1234, {
      metadata: { backroom_payment_id: 'pay_1', 'odd key': 'a&b=c' },
      receipt_email: 'a@b.test',
    });
    const zero = { amount_capturable: 0, amount_received: 0, latest_charge: null, last_payment_error: null };
    expect(pi).toMatchObject({ ...zero, object: 'payment_intent', amount: 1234, currency: 'eur', livemode: false });
    expect(pi).toMatchObject({ capture_method: 'manual', status: 'requires_payment_method', next_action: null });
    expect(pi).toMatchObject({
      metadata: { backroom_payment_id: 'pay_1', 'odd key': 'a&b=c' },
      receipt_email: 'a@b.test',
    });
    expect(pi.id).toMatch(/^pi_/);
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_`));
    expect((await stripe.paymentIntents.retrieve(pi.id)).metadata.backroom_payment_id).toBe('pay_1');
  });

  it('rejects invalid amounts and unknown ids the way Stripe does', async () => {
    const bad = await post(fake, '/v1/payment_intents', { amount: '0', currency: 'eur' });
    expect(bad.status).toBe(400);
    expect(errorOf(bad.body)).toMatchObject({ type: 'invalid_request_error', param: 'amount' });
    const missing = await fetch(`${fake.url}/v1/payment_intents/pi_nope`, {
      headers: { authorization: `Bearer ${SK}` },
    });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: unknown }).error).toEqual({
      type: 'invalid_request_error',
      code: 'resource_missing',
      param: 'intent',
      message: "No such payment_intent: 'pi_nope'",
    });
  });

  it('replays a repeated idempotent request without acting twice', async () => {
    const before = fake.intents().length;
    const form = { amount: '700', currency: 'eur', 'metadata[k]': 'v' };
    const first = await post(fake, '/v1/payment_intents', form, { idempotencyKey: 'idem-replay-1' });
    const second = await post(fake, '/v1/payment_intents', form, { idempotencyKey: 'idem-replay-1' });
    expect(second.body.id).toBe(first.body.id);
    expect(second.body).toEqual(first.body);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(fake.intents().length).toBe(before + 1);
    expect(
      fake.events.filter((e) => e.type === 'payment_intent.created' && e.body.includes(String(first.body.id))),
    ).toHaveLength(1);
  });

  it('checks the API key before replaying an idempotent answer (keys belong to an account)', async () => {
    const form = { amount: '300', currency: 'eur' };
    const first = await post(fake, '/v1/payment_intents', form, { idempotencyKey: 'idem-auth-1' });
    expect(first.status).toBe(200);
    const stranger = await post(fake, '/v1/payment_intents', form, {
      key: 'sk_test_stranger',
      idempotencyKey: 'idem-auth-1',
    });
    expect(stranger.status).toBe(401);
    expect(stranger.body.id).toBeUndefined();
  });

  it('refuses a key reused with other parameters (idempotency_error)', async () => {
    await stripe.paymentIntents.create({ amount: 100, currency: 'eur' }, { idempotencyKey: 'idem-conflict-1' });
    const err = await stripe.paymentIntents
      .create({ amount: 200, currency: 'eur' }, { idempotencyKey: 'idem-conflict-1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((err as Stripe.errors.StripeError).statusCode).toBe(400);
    expect((err as Stripe.errors.StripeError).message).toContain("Try using a key other than 'idem-conflict-1'");
  });

  it('acts once for concurrent identical requests with one key', async () => {
    const pi = await manualIntent(900);
    await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    const captures = await Promise.all(
      Array.from({ length: 8 }, () =>
        post(
          fake,
          `/v1/payment_intents/${pi.id}/capture`,
          { amount_to_capture: '400' },
          { idempotencyKey: 'cap-conc' },
        ),
      ),
    );
    expect(captures.map((c) => c.status)).toEqual(Array(8).fill(200));
    expect(new Set(captures.map((c) => c.body.latest_charge)).size).toBe(1);
    expect(captures.filter((c) => c.headers.get('idempotent-replayed') === 'true')).toHaveLength(7);
    const succeeded = fake.events.filter((e) => e.type === 'payment_intent.succeeded' && e.body.includes(pi.id));
    expect(succeeded).toHaveLength(1);
    expect((await stripe.paymentIntents.retrieve(pi.id)).amount_received).toBe(400);
  });

  it('declines pm_card_chargeDeclined with a card_error and keeps the intent payable', async () => {
    const pi = await manualIntent(2500);
    const err = await stripe.paymentIntents
      .confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    const card = err as Stripe.errors.StripeCardError;
    expect(card).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
    expect(card.message).toBe('Your card was declined.');
    expect(card.payment_intent?.id).toBe(pi.id);
    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.last_payment_error).toMatchObject({ code: 'card_declined', decline_code: 'generic_decline' });
  });

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
