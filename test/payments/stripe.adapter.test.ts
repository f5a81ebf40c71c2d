import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../src/fake-gateways/stripe/index.js';
import { InvalidWebhookSignatureError, PaymentProviderError } from '../../src/modules/payments/payments.errors.js';
import type { InitiateInput, PaymentProvider } from '../../src/modules/payments/provider.js';
import { type StripeSettings, stripeProvider } from '../../src/modules/payments/providers/stripe.js';

/**
 * The Stripe adapter against the local fake Stripe, through the official SDK: the server side of the flow
 * (initiate, authorize, capture, refund, cancel, webhooks, reconciliation) with a test acting as the storefront
 * (Stripe.js confirming with the publishable key and the client secret).
 */

const eur = (amount: number) => ({ amount, currency: 'EUR' });
let seq = 0;

function initiateInput(amount: number, captureMethod?: 'manual' | 'automatic'): InitiateInput {
  const attemptId = `pay_att_${++seq}`;
  return {
    attemptId,
    idempotencyKey: `${attemptId}:initiate`,
    amount: eur(amount),
    captureMethod,
    customer: { email: 'buyer@example.test' },
    metadata: { order: `ord_${seq}` },
  };
}

describe('Stripe adapter (against the fake Stripe)', () => {
  let fake: FakeStripe;
  let settings: StripeSettings;
  let stripe: PaymentProvider;

  beforeAll(async () => {
    fake = await startFakeStripe({ holdWebhooks: true });
    settings = {
      secretKey: 'sk_test_backroom',
      publishableKey: 'pk_test_backroom',
      webhookSecret: 'whsec_backroom',
      api: { host: '127.0.0.1', port: fake.port, protocol: 'http' },
      timeoutMs: 5000,
    };
    stripe = stripeProvider(settings);
  });
  afterAll(() => fake.close());

  /** What Stripe.js does in the browser: confirm with the publishable key, proving access with the client secret. */
  async function storefrontConfirm(clientSecret: string | undefined, paymentMethod: string): Promise<number> {
    const id = clientSecret?.split('_secret_')[0] ?? '';
    const res = await fetch(`${fake.url}/v1/payment_intents/${id}/confirm`, {
      method: 'POST',
      headers: { authorization: 'Bearer pk_test_backroom', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ payment_method: paymentMethod, client_secret: clientSecret ?? '' }).toString(),
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** initiate + browser confirm + authorize: the whole checkout payment step. */
  async function pay(amount: number, paymentMethod = 'pm_card_visa', captureMethod?: 'manual' | 'automatic') {
    const input = initiateInput(amount, captureMethod);
    const started = await stripe.initiate(input);
    await storefrontConfirm(started.clientData?.clientSecret, paymentMethod);
    const ref = started.providerReference;
    const result = await stripe.authorize({
      providerReference: ref,
      idempotencyKey: `${input.attemptId}:authorize`,
      amount: eur(amount),
    });
    return { input, ref, result };
  }

  const intent = (ref: string) => fake.intents().find((pi) => pi.id === ref);
  const eventsOf = (ref: string, type: string) => fake.events.filter((e) => e.type === type && e.body.includes(ref));

  it('initiates a PaymentIntent that the storefront must confirm', async () => {
    const input = initiateInput(4200);
    const result = await stripe.initiate(input);
    expect(result.status).toBe('requires_action');
    expect(result.providerReference).toMatch(/^pi_/);
    const pi = intent(result.providerReference);
    expect(result.clientData).toEqual({
      clientSecret: pi?.client_secret,
      nextAction: 'confirm_payment',
      publishableKey: 'pk_test_backroom',
    });
    expect(pi).toMatchObject({
      amount: 4200,
      currency: 'eur',
      capture_method: 'manual',
      receipt_email: 'buyer@example.test',
      metadata: { order: input.metadata.order, backroom_payment_id: input.attemptId },
    });
    // A retried initiate (same key) reaches Stripe as the same request: one intent.
    const again = await stripe.initiate(input);
    expect(again.providerReference).toBe(result.providerReference);
    expect(fake.intents().filter((p) => p.metadata.backroom_payment_id === input.attemptId)).toHaveLength(1);
  });

  it('authorizes (manual capture) or captures (automatic) once the buyer confirmed', async () => {
    const manual = await pay(5000);
    expect(manual.result).toEqual({ status: 'authorized', providerReference: manual.ref });
    expect(intent(manual.ref)?.amount_capturable).toBe(5000);
    const automatic = await pay(2000, 'pm_card_visa', 'automatic');
    expect(automatic.result).toEqual({ status: 'captured', providerReference: automatic.ref });
    expect(intent(automatic.ref)?.amount_received).toBe(2000);
  });

  it('reports a declined card with its decline code', async () => {
    const { result, ref } = await pay(1000, 'pm_card_chargeDeclined');
    expect(result).toEqual({ status: 'declined', providerReference: ref, declineCode: 'generic_decline' });
  });

  it('asks for 3-D Secure, then authorizes after the buyer passes it (or declines when they fail)', async () => {
    const challenged = await pay(3000, 'pm_card_threeDSecure2Required');
    expect(challenged.result.status).toBe('requires_action');
    expect(challenged.result.clientData?.nextAction).toBe('three_d_secure');
    expect(challenged.result.clientData?.clientSecret).toBe(intent(challenged.ref)?.client_secret);
    await fetch(`${fake.url}/_fake/payment_intents/${challenged.ref}/3ds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'succeed' }),
    });
    const key = `${challenged.input.attemptId}:authorize`;
    const after = await stripe.authorize({ providerReference: challenged.ref, idempotencyKey: key, amount: eur(3000) });
    expect(after).toEqual({ status: 'authorized', providerReference: challenged.ref });

    const failing = await pay(3000, 'pm_card_authenticationRequired');
    await fetch(`${fake.url}/_fake/payment_intents/${failing.ref}/3ds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'fail' }),
    });
    const failed = await stripe.authorize({ providerReference: failing.ref, idempotencyKey: 'x', amount: eur(3000) });
    expect(failed).toEqual({
      status: 'declined',
      providerReference: failing.ref,
      declineCode: 'payment_intent_authentication_failure',
    });
  });

  it('captures part of an authorization once; a second capture is declined', async () => {
    const { ref, input } = await pay(5000);
    const captured = await stripe.capture({
      providerReference: ref,
      amount: eur(3000),
      idempotencyKey: `${input.attemptId}:capture:1`,
    });
    expect(captured.status).toBe('succeeded');
    expect(captured.providerReference).toBe(intent(ref)?.latest_charge);
    expect(captured.providerReference).toMatch(/^ch_/);
    expect(intent(ref)).toMatchObject({ status: 'succeeded', amount_received: 3000, amount_capturable: 0 });
    const second = await stripe.capture({
      providerReference: ref,
      amount: eur(1000),
      idempotencyKey: `${input.attemptId}:capture:2`,
    });
    expect(second).toEqual({ status: 'declined', declineCode: 'payment_intent_unexpected_state' });
    expect(await stripe.lookup?.(ref)).toEqual({
      providerReference: ref,
      paymentId: input.attemptId,
      status: 'succeeded',
      currency: 'EUR',
      authorized: 3000,
      captured: 3000,
      refunded: 0,
    });
  });

  it('refunds in parts and declines refunding more than is left', async () => {
    const { ref, input } = await pay(4000, 'pm_card_visa', 'automatic');
    const base = { providerReference: ref, paymentId: 'pay_ref_1' };
    const r1 = await stripe.refund({ ...base, amount: eur(1500), idempotencyKey: `${input.attemptId}:refund:1` });
    const r2 = await stripe.refund({ ...base, amount: eur(2000), idempotencyKey: `${input.attemptId}:refund:2` });
    expect(r1.status).toBe('succeeded');
    expect(r1.providerReference).toMatch(/^re_/);
    expect(r2.providerReference).not.toBe(r1.providerReference);
    // The same key again is the same refund, not a third one.
    const replay = await stripe.refund({ ...base, amount: eur(2000), idempotencyKey: `${input.attemptId}:refund:2` });
    expect(replay.providerReference).toBe(r2.providerReference);
    const over = await stripe.refund({ ...base, amount: eur(501), idempotencyKey: `${input.attemptId}:refund:3` });
    expect(over).toEqual({ status: 'declined', declineCode: 'amount_too_large' });
    expect(await stripe.lookup?.(ref)).toMatchObject({ authorized: 4000, captured: 4000, refunded: 3500 });
    const refunded = fake.events.filter((e) => e.type === 'charge.refunded' && e.body.includes(ref));
    expect(refunded).toHaveLength(2);
    const event = await stripe.verifyWebhook(Buffer.from(refunded[1]?.body ?? ''), {
      'stripe-signature': fake.signatureHeader(refunded[1]?.body ?? ''),
    });
    expect(event).toMatchObject({ type: 'refunded', amount: eur(3500), cumulative: true, providerReference: ref });
    // The refund carries our key, so it can be traced even if its response was lost.
    const sdk = new Stripe('sk_test_backroom', { ...settings.api, maxNetworkRetries: 0 });
    const listed = await sdk.refunds.list({ payment_intent: ref });
    expect(listed.data.map((r) => r.metadata?.backroom_key).sort()).toEqual([
      `${input.attemptId}:refund:1`,
      `${input.attemptId}:refund:2`,
    ]);
  });

  it('cancels an authorization; cancelling again is fine, cancelling a captured payment is declined', async () => {
    const { ref, input } = await pay(1200);
    expect(await stripe.cancel({ providerReference: ref, idempotencyKey: `${input.attemptId}:void` })).toEqual({
      status: 'succeeded',
    });
    expect(intent(ref)?.status).toBe('canceled');
    expect(await stripe.cancel({ providerReference: ref, idempotencyKey: 'another-key' })).toEqual({
      status: 'succeeded',
    });
    expect(await stripe.lookup?.(ref)).toMatchObject({ status: 'canceled', authorized: 0, captured: 0 });
    const done = await pay(1200, 'pm_card_visa', 'automatic');
    expect(await stripe.cancel({ providerReference: done.ref, idempotencyKey: 'void-captured' })).toEqual({
      status: 'declined',
      declineCode: 'payment_intent_unexpected_state',
    });
  });

  it('turns a lost capture answer into a retryable timeout, and the retry captures exactly once', async () => {
    const impatient = stripeProvider({ ...settings, timeoutMs: 300 });
    const { ref, input } = await pay(6000);
    const call = { providerReference: ref, amount: eur(6000), idempotencyKey: `${input.attemptId}:capture:1` };
    fake.faults.push({ kind: 'slow', match: /\/capture$/, delayMs: 1500 });
    const err = await impatient.capture(call).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaymentProviderError);
    expect((err as PaymentProviderError).code).toBe('PAYMENT_PROVIDER_TIMEOUT');
    // Stripe did the work although we never heard back.
    expect(intent(ref)?.status).toBe('succeeded');
    const retried = await impatient.capture(call);
    expect(retried).toEqual({ status: 'succeeded', providerReference: intent(ref)?.latest_charge });
    expect(eventsOf(ref, 'payment_intent.succeeded')).toHaveLength(1);
    expect(intent(ref)?.amount_received).toBe(6000);
  });

  it('treats gateway errors and a bad key as outcome-unknown, without leaking the key', async () => {
    const { ref, input } = await pay(700);
    fake.faults.push({ kind: 'error', status: 500, match: /\/capture$/ });
    const call = { providerReference: ref, amount: eur(700), idempotencyKey: `${input.attemptId}:capture:1` };
    const err = await stripe.capture(call).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaymentProviderError);
    expect((err as PaymentProviderError).code).toBe('PAYMENT_PROVIDER_ERROR');
    expect(intent(ref)?.status).toBe('requires_capture');
    expect((await stripe.capture(call)).status).toBe('succeeded');

    const badKey = stripeProvider({ ...settings, secretKey: 'sk_test_leakme_0123456789' });
    const auth = await badKey.capture(call).catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(PaymentProviderError);
    expect(JSON.stringify(auth)).not.toContain('leakme');
    expect((auth as Error).message + String((auth as PaymentProviderError).detail)).not.toContain('leakme');
  });

  describe('webhooks', () => {
    const signed = (body: string, opts?: { timestamp?: number; secret?: string }) => ({
      'stripe-signature': fake.signatureHeader(body, opts),
    });
    const verify = (body: string) => stripe.verifyWebhook(Buffer.from(body), signed(body));
    const bodyOf = (ref: string, type: string) => eventsOf(ref, type)[0]?.body ?? '';
    const idOf = (body: string) => (JSON.parse(body) as { id: string }).id;

    it('normalises PaymentIntent events', async () => {
      const { ref, input } = await pay(5000);
      await stripe.capture({ providerReference: ref, amount: eur(4500), idempotencyKey: 'wh-cap' });
      const common = { paymentId: input.attemptId, providerReference: ref };

      const authorized = bodyOf(ref, 'payment_intent.amount_capturable_updated');
      expect(await verify(authorized)).toEqual({
        ...common,
        eventId: idOf(authorized),
        providerType: 'payment_intent.amount_capturable_updated',
        type: 'authorized',
        amount: eur(5000),
      });
      const captured = bodyOf(ref, 'payment_intent.succeeded');
      expect(await verify(captured)).toEqual({
        ...common,
        eventId: idOf(captured),
        providerType: 'payment_intent.succeeded',
        type: 'captured',
        objectReference: intent(ref)?.latest_charge,
        amount: eur(4500),
        cumulative: true,
      });
      const created = bodyOf(ref, 'payment_intent.created');
      expect(await verify(created)).toEqual({
        eventId: idOf(created),
        providerType: 'payment_intent.created',
        type: 'other',
      });

      const declined = await pay(100, 'pm_card_chargeDeclined');
      expect(await verify(bodyOf(declined.ref, 'payment_intent.payment_failed'))).toMatchObject({
        type: 'failed',
        paymentId: declined.input.attemptId,
        providerReference: declined.ref,
        declineCode: 'generic_decline',
      });
      const voided = await pay(100);
      await stripe.cancel({ providerReference: voided.ref, idempotencyKey: 'wh-void' });
      expect(await verify(bodyOf(voided.ref, 'payment_intent.canceled'))).toMatchObject({
        type: 'voided',
        paymentId: voided.input.attemptId,
        providerReference: voided.ref,
      });
    });

    it('normalises refunds and disputes', async () => {
      const { ref, input } = await pay(8000, 'pm_card_visa', 'automatic');
      await stripe.refund({ providerReference: ref, amount: eur(1000), idempotencyKey: 'wh-ref', paymentId: 'x' });
      const charge = intent(ref)?.latest_charge;
      const refunded = bodyOf(ref, 'charge.refunded');
      expect(await verify(refunded)).toEqual({
        eventId: idOf(refunded),
        providerType: 'charge.refunded',
        type: 'refunded',
        paymentId: input.attemptId,
        providerReference: ref,
        objectReference: charge,
        amount: eur(1000),
        cumulative: true,
      });
      const opened = await fetch(`${fake.url}/_fake/payment_intents/${ref}/dispute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'fraudulent' }),
      });
      const dispute = (await opened.json()) as { id: string };
      await fetch(`${fake.url}/_fake/disputes/${dispute.id}/close`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'won' }),
      });
      expect(await verify(bodyOf(dispute.id, 'charge.dispute.created'))).toMatchObject({
        type: 'dispute_opened',
        providerReference: ref,
        objectReference: charge,
        dispute: { id: dispute.id, reason: 'fraudulent', status: 'needs_response', amount: eur(7000) },
      });
      expect(await verify(bodyOf(dispute.id, 'charge.dispute.closed'))).toMatchObject({
        type: 'dispute_closed',
        providerType: 'charge.dispute.closed',
        dispute: { id: dispute.id, status: 'won' },
      });
    });

    it('rejects anything not signed by Stripe with this secret, recently, over these bytes', async () => {
      const body = fake.events[0]?.body ?? '';
      const now = Math.floor(Date.now() / 1000);
      const attempts: Record<string, string | undefined>[] = [
        signed(body, { secret: 'whsec_wrong' }),
        signed(body, { timestamp: now - 301 }),
        { 'stripe-signature': fake.signatureHeader(body).replace(/v1=[0-9a-f]/, 'v1=z') },
        {},
        { 'stripe-signature': 'garbage' },
      ];
      for (const headers of attempts) {
        await expect(stripe.verifyWebhook(Buffer.from(body), headers)).rejects.toBeInstanceOf(
          InvalidWebhookSignatureError,
        );
      }
      const altered = body.replace('"livemode":false', '"livemode":true');
      expect(altered).not.toBe(body);
      await expect(stripe.verifyWebhook(Buffer.from(altered), signed(body))).rejects.toBeInstanceOf(
        InvalidWebhookSignatureError,
      );
      // Within the tolerance it is accepted.
      await expect(
        stripe.verifyWebhook(Buffer.from(body), signed(body, { timestamp: now - 200 })),
      ).resolves.toMatchObject({
        eventId: idOf(body),
      });
    });
  });

  it('reports recent payments for reconciliation', async () => {
    const since = new Date(Date.now() - 1000);
    const a = await pay(1000, 'pm_card_visa', 'automatic');
    await stripe.refund({ providerReference: a.ref, amount: eur(400), idempotencyKey: 'recent-ref' });
    const b = await pay(2000);
    const views = await stripe.recentPayments?.(since);
    expect(views?.find((v) => v.providerReference === a.ref)).toEqual({
      providerReference: a.ref,
      paymentId: a.input.attemptId,
      status: 'succeeded',
      currency: 'EUR',
      authorized: 1000,
      captured: 1000,
      refunded: 400,
    });
    expect(views?.find((v) => v.providerReference === b.ref)).toMatchObject({
      status: 'requires_capture',
      authorized: 2000,
      captured: 0,
    });
    expect(views?.length).toBe(fake.intents().filter((pi) => pi.created >= Math.floor(since.getTime() / 1000)).length);
  });
});
