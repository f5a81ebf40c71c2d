import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakePayPal, startFakePayPal } from '../../src/fake-gateways/paypal/index.js';
import type { PaymentProvider } from '../../src/modules/payments/provider.js';
import { paypalProvider } from '../../src/modules/payments/providers/paypal.js';
import { paypalValue } from '../../src/modules/payments/providers/paypal.money.js';

/**
 * Amounts PayPal takes without decimals (HUF, TWD, JPY) and voids that meet an authorization already voided: the
 * real adapter against the fake, which refuses what real PayPal refuses.
 */
let fake: FakePayPal;
let paypal: PaymentProvider;

beforeAll(async () => {
  fake = await startFakePayPal({ holdWebhooks: true });
  paypal = paypalProvider({
    clientId: 'paypal-client-backroom',
    clientSecret: 'paypal-secret-backroom',
    webhookId: 'WH-FAKE-BACKROOM',
    environment: 'sandbox',
    apiBase: fake.url,
    timeoutMs: 5000,
  });
});
afterAll(() => fake.close());

async function authorized(amount: number, currency: string) {
  const attemptId = `pay_${randomUUID().slice(0, 8)}`;
  const started = await paypal.initiate({
    attemptId,
    idempotencyKey: `${attemptId}:initiate`,
    amount: { amount, currency },
    metadata: {},
  });
  expect(started.status).toBe('requires_action');
  await fetch(`${fake.url}/_fake/orders/${started.providerReference}/approve`, { method: 'POST', body: '{}' });
  const res = await paypal.authorize({
    providerReference: started.providerReference,
    idempotencyKey: `${attemptId}:authorize`,
    amount: { amount, currency },
  });
  expect(res.status).toBe('authorized');
  return { orderId: started.providerReference, attemptId };
}

describe('PayPal amounts', () => {
  it('formats HUF, TWD and JPY in whole units and everything else with its ISO decimals', () => {
    expect(paypalValue({ amount: 100_000, currency: 'HUF' })).toBe('1000');
    expect(paypalValue({ amount: 129_900, currency: 'TWD' })).toBe('1299');
    expect(paypalValue({ amount: 1000, currency: 'JPY' })).toBe('1000');
    expect(paypalValue({ amount: 1050, currency: 'EUR' })).toBe('10.50');
    expect(paypalValue({ amount: 1234, currency: 'KWD' })).toBe('1.234');
    // Fillér cannot be sent to PayPal.
    expect(paypalValue({ amount: 100_050, currency: 'HUF' })).toBeNull();
  });

  it('a HUF payment is sent in whole forints and captured and refunded in them; PayPal keeps the same money', async () => {
    const { orderId, attemptId } = await authorized(250_000, 'HUF');
    expect(fake.store.orders.get(orderId)?.unit.amount).toEqual({ currency_code: 'HUF', value: '2500' });
    const cap = await paypal.capture({
      providerReference: orderId,
      amount: { amount: 100_000, currency: 'HUF' },
      idempotencyKey: `${attemptId}:capture:1`,
    });
    expect(cap.status).toBe('succeeded');
    const refund = await paypal.refund({
      providerReference: orderId,
      amount: { amount: 40_000, currency: 'HUF' },
      idempotencyKey: `${attemptId}:refund:1`,
    });
    expect(refund.status).toBe('succeeded');
    expect(await paypal.lookup?.(orderId)).toMatchObject({
      currency: 'HUF',
      authorized: 250_000,
      captured: 100_000,
      refunded: 40_000,
    });
  });

  it('an amount with fillér is declined DECIMALS_NOT_SUPPORTED before anything reaches PayPal', async () => {
    const orders = fake.store.orders.size;
    const attemptId = `pay_${randomUUID().slice(0, 8)}`;
    const res = await paypal.initiate({
      attemptId,
      idempotencyKey: `${attemptId}:initiate`,
      amount: { amount: 100_050, currency: 'HUF' },
      metadata: {},
    });
    expect(res).toMatchObject({ status: 'declined', declineCode: 'DECIMALS_NOT_SUPPORTED' });
    expect(fake.store.orders.size).toBe(orders);
    const { orderId, attemptId: other } = await authorized(200_000, 'HUF');
    const cap = await paypal.capture({
      providerReference: orderId,
      amount: { amount: 50_050, currency: 'HUF' },
      idempotencyKey: `${other}:capture:1`,
    });
    expect(cap).toMatchObject({ status: 'declined', declineCode: 'DECIMALS_NOT_SUPPORTED' });
    expect(fake.store.orders.get(orderId)?.captureIds).toEqual([]);
  });

  it('a capture in another currency than the authorization: AUTH_CAPTURE_CURRENCY_MISMATCH', async () => {
    const { orderId, attemptId } = await authorized(5000, 'EUR');
    const cap = await paypal.capture({
      providerReference: orderId,
      amount: { amount: 5000, currency: 'USD' },
      idempotencyKey: `${attemptId}:capture:1`,
    });
    expect(cap).toMatchObject({ status: 'declined', declineCode: 'AUTH_CAPTURE_CURRENCY_MISMATCH' });
  });
});

describe('PayPal void', () => {
  it('an authorization voided meanwhile (PREVIOUSLY_VOIDED) is a successful cancel, not a failure', async () => {
    const { orderId } = await authorized(3000, 'EUR');
    const authId = fake.store.orders.get(orderId)?.authorizationIds[0] ?? '';
    // The adapter reads the order (still CREATED), then someone voids it at PayPal before our void arrives.
    fake.faults.push({ match: /^GET \/v2\/checkout\/orders\//, kind: 'slow', delayMs: 300 });
    const cancel = paypal.cancel({ providerReference: orderId, idempotencyKey: `${orderId}:void` });
    await new Promise((r) => setTimeout(r, 100));
    const auth = fake.store.authorizations.get(authId);
    if (auth) auth.status = 'VOIDED';
    expect(await cancel).toEqual({ status: 'succeeded', providerReference: authId });
  });
});
