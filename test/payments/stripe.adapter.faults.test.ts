import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../src/fake-gateways/stripe/index.js';
import { PaymentProviderError, WebhookApiVersionError } from '../../src/modules/payments/payments.errors.js';
import type { PaymentProvider } from '../../src/modules/payments/provider.js';
import { STRIPE_API_VERSION, stripeProvider } from '../../src/modules/payments/providers/stripe.js';

/**
 * The Stripe adapter on answers real Stripe gives under load or later in a payment's life: 409
 * `idempotency_key_in_use` and 429 are "no answer yet" (never a decline; the same key retried acts once), a refund
 * that fails afterwards is normalised to `refund_failed`, and events of another API version are refused.
 */

const eur = (amount: number) => ({ amount, currency: 'EUR' });
let seq = 0;

describe('Stripe adapter: 409, 429, failed refunds, API versions', () => {
  let fake: FakeStripe;
  let stripe: PaymentProvider;
  beforeAll(async () => {
    fake = await startFakeStripe({ holdWebhooks: true });
    stripe = stripeProvider({
      secretKey: 'sk_test_backroom',
      webhookSecret: 'whsec_backroom',
      api: { host: '127.0.0.1', port: fake.port, protocol: 'http' },
      timeoutMs: 5000,
    });
  });
  afterAll(() => fake.close());

  /** An automatic-capture payment the buyer confirmed: its PaymentIntent id. */
  async function paid(amount: number): Promise<string> {
    const attemptId = `pay_f_${++seq}`;
    const started = await stripe.initiate({
      attemptId,
      idempotencyKey: `${attemptId}:initiate`,
      amount: eur(amount),
      captureMethod: 'automatic',
      metadata: {},
    });
    const secret = started.clientData?.clientSecret ?? '';
    await fetch(`${fake.url}/v1/payment_intents/${started.providerReference}/confirm`, {
      method: 'POST',
      headers: { authorization: 'Bearer pk_test_backroom', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ payment_method: 'pm_card_visa', client_secret: secret }).toString(),
    });
    return started.providerReference;
  }

  it.each(['idempotency_key_in_use', 'rate_limit', 'lock_timeout'] as const)(
    '%s on initiate and refund: outcome unknown (retryable), nothing done; the same key then acts once',
    async (kind) => {
      const attemptId = `pay_f_${++seq}`;
      const input = { attemptId, idempotencyKey: `${attemptId}:initiate`, amount: eur(900), metadata: {} };
      const intents = fake.intents().length;
      fake.stripeFaults.push({ kind, match: /^POST \/v1\/payment_intents$/ });
      const err = await stripe.initiate(input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PaymentProviderError);
      expect(fake.intents()).toHaveLength(intents);
      expect((await stripe.initiate(input)).status).toBe('requires_action');
      expect(fake.intents()).toHaveLength(intents + 1);

      const ref = await paid(1200);
      const refund = { providerReference: ref, amount: eur(500), idempotencyKey: `${ref}:refund:1` };
      fake.stripeFaults.push({ kind, match: /^POST \/v1\/refunds$/ });
      const refused = await stripe.refund(refund).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PaymentProviderError);
      expect((refused as PaymentProviderError).status).toBe(502);
      expect((await stripe.lookup?.(ref))?.refunded).toBe(0);
      expect((await stripe.refund(refund)).status).toBe('succeeded');
      expect((await stripe.refund(refund)).status).toBe('succeeded');
      expect((await stripe.lookup?.(ref))?.refunded).toBe(500);
    },
  );

  it('normalises a refund that fails (or is cancelled) after Stripe accepted it; other refund news is not money', async () => {
    const ref = await paid(3000);
    fake.refundStatuses.push('pending');
    const done = await stripe.refund({
      providerReference: ref,
      amount: eur(800),
      idempotencyKey: 'k-fail',
      paymentId: 'pay_x',
    });
    expect(done.status).toBe('succeeded');
    // A pending refund counts as Backroom counts it.
    expect((await stripe.lookup?.(ref))?.refunded).toBe(800);
    const from = fake.events.length;
    await fetch(`${fake.url}/_fake/refunds/${done.providerReference}/settle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'failed', failure_reason: 'lost_or_stolen_card' }),
    });
    const charge = fake.intents().find((i) => i.id === ref)?.latest_charge;
    const events = fake.events.slice(from);
    expect(events.map((e) => e.type)).toEqual(['refund.updated', 'charge.refund.updated', 'refund.failed']);
    for (const e of events) {
      const verified = await stripe.verifyWebhook(Buffer.from(e.body), {
        'stripe-signature': fake.signatureHeader(e.body),
      });
      expect(verified).toEqual({
        eventId: e.id,
        providerType: e.type,
        type: 'refund_failed',
        paymentId: 'pay_x',
        providerReference: ref,
        objectReference: done.providerReference,
        amount: eur(800),
        idempotencyKey: 'k-fail',
        refundFailure: { status: 'failed', reason: 'lost_or_stolen_card', countedUnder: charge },
      });
    }
    expect((await stripe.lookup?.(ref))?.refunded).toBe(0);
    const created = fake.events.find(
      (e) => e.type === 'refund.created' && e.body.includes(String(done.providerReference)),
    );
    if (!created) throw new Error('no refund.created');
    const news = await stripe.verifyWebhook(Buffer.from(created.body), {
      'stripe-signature': fake.signatureHeader(created.body),
    });
    expect(news.type).toBe('other');
  });

  it('refuses an event rendered in another API version, after the signature check', async () => {
    const ref = await paid(400);
    const event = fake.events.find((e) => e.type === 'payment_intent.succeeded' && e.body.includes(ref));
    if (!event) throw new Error('no event');
    const body = event.body.replace(`"api_version":"${STRIPE_API_VERSION}"`, '"api_version":"2024-06-20"');
    const err = await stripe
      .verifyWebhook(Buffer.from(body), { 'stripe-signature': fake.signatureHeader(body) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookApiVersionError);
    expect(err).toMatchObject({ status: 400, received: '2024-06-20', expected: STRIPE_API_VERSION });
    expect(
      (await stripe.verifyWebhook(Buffer.from(event.body), { 'stripe-signature': fake.signatureHeader(event.body) }))
        .type,
    ).toBe('captured');
  });
});
