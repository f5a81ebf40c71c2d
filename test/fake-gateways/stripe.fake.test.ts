import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../src/fake-gateways/stripe/index.js';
import { errorOf, manualIntentOf, PK, post, SK, sdkFor, useFakeStripeSuite } from './stripe.fake.support.js';

/**
 * The fake Stripe on its own, spoken to with the official SDK (as the adapter does) and with raw form posts (as
 * Stripe.js in a browser does): keys, PaymentIntents and idempotency. The adapter's tests build on these rules.
 */

describe('fake Stripe', () => {
  let fake: FakeStripe;
  let stripe: Stripe;

  useFakeStripeSuite((s) => {
    ({ fake, stripe } = s);
  });

  const manualIntent = manualIntentOf(() => stripe);

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
});
