import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakePayPal, startFakePayPal } from '../../src/fake-gateways/paypal/index.js';
import { InvalidWebhookSignatureError, PaymentProviderError } from '../../src/modules/payments/payments.errors.js';
import type { InitiateInput, PaymentProvider, ProviderEvent } from '../../src/modules/payments/provider.js';
import { type PayPalSettings, paypalProvider } from '../../src/modules/payments/providers/paypal.js';

/** The PayPal adapter (official SDK) against the local fake: order → authorize → capture → refund, webhooks. */
let fake: FakePayPal;
let paypal: PaymentProvider;
let settings: PayPalSettings;

const eur = (amount: number) => ({ amount, currency: 'EUR' });

function initiateInput(amount: number, captureMethod: 'manual' | 'automatic' = 'manual'): InitiateInput {
  const attemptId = `pay_${randomUUID().slice(0, 8)}`;
  return {
    attemptId,
    idempotencyKey: `${attemptId}:initiate`,
    amount: eur(amount),
    captureMethod,
    returnUrl: 'https://shop.test/checkout/return',
    metadata: {},
  };
}

async function approve(orderId: string, outcome: 'approve' | 'decline' = 'approve'): Promise<void> {
  const body = JSON.stringify({ outcome });
  const res = await fetch(`${fake.url}/_fake/orders/${orderId}/approve`, { method: 'POST', body });
  expect(res.status).toBe(200);
}

/** An authorized (manual capture) payment: its order id and our attempt id. */
async function authorized(amount: number): Promise<{ orderId: string; paymentId: string }> {
  const input = initiateInput(amount);
  const { providerReference: orderId } = await paypal.initiate(input);
  await approve(orderId);
  const res = await paypal.authorize({
    providerReference: orderId,
    idempotencyKey: `${input.attemptId}:a`,
    amount: eur(amount),
  });
  expect(res.status).toBe('authorized');
  return { orderId, paymentId: input.attemptId };
}

const capturesAtFake = (orderId: string) => fake.store.orders.get(orderId)?.captureIds.length ?? 0;

beforeAll(async () => {
  fake = await startFakePayPal({ holdWebhooks: true });
  settings = {
    clientId: 'paypal-client-backroom',
    clientSecret: 'paypal-secret-backroom',
    webhookId: 'WH-FAKE-BACKROOM',
    environment: 'sandbox',
    apiBase: fake.url,
    timeoutMs: 5000,
  };
  paypal = paypalProvider(settings);
});
afterAll(() => fake.close());

describe('PayPal adapter: checkout', () => {
  it('initiate creates an order and hands the storefront its approval URL', async () => {
    const res = await paypal.initiate(initiateInput(1050));
    expect(res.status).toBe('requires_action');
    expect(res.providerReference).toMatch(/^[A-Z0-9]{17}$/);
    expect(res.clientData).toEqual({
      orderId: res.providerReference,
      approvalUrl: `${fake.url}/checkoutnow?token=${res.providerReference}`,
    });
    const order = fake.store.orders.get(res.providerReference);
    expect(order).toMatchObject({
      intent: 'AUTHORIZE',
      status: 'PAYER_ACTION_REQUIRED',
      returnUrl: 'https://shop.test/checkout/return',
    });
    expect(order?.unit.amount).toEqual({ currency_code: 'EUR', value: '10.50' });
  });

  it('authorize before approval still requires action; after approval it authorizes, once', async () => {
    const input = initiateInput(2000);
    const { providerReference } = await paypal.initiate(input);
    const call = { providerReference, idempotencyKey: `${input.attemptId}:authorize`, amount: eur(2000) };
    const early = await paypal.authorize(call);
    expect(early).toMatchObject({ status: 'requires_action', clientData: { orderId: providerReference } });
    await approve(providerReference);
    expect(await paypal.authorize(call)).toEqual({ status: 'authorized', providerReference });
    // A retry (same key) and a later call both read the completed order: still one authorization.
    expect(await paypal.authorize(call)).toEqual({ status: 'authorized', providerReference });
    expect(fake.store.orders.get(providerReference)?.authorizationIds).toHaveLength(1);
  });

  it('automatic capture makes a CAPTURE order that authorize captures', async () => {
    const input = initiateInput(1500, 'automatic');
    const { providerReference } = await paypal.initiate(input);
    expect(fake.store.orders.get(providerReference)?.intent).toBe('CAPTURE');
    await approve(providerReference);
    const res = await paypal.authorize({
      providerReference,
      idempotencyKey: `${input.attemptId}:authorize`,
      amount: eur(1500),
    });
    const captureReference = fake.store.orders.get(providerReference)?.captureIds[0];
    expect(res).toEqual({ status: 'captured', providerReference, captureReference });
  });

  it('a declined funding instrument declines with INSTRUMENT_DECLINED', async () => {
    const input = initiateInput(900);
    const { providerReference } = await paypal.initiate(input);
    await approve(providerReference, 'decline');
    const res = await paypal.authorize({
      providerReference,
      idempotencyKey: `${input.attemptId}:authorize`,
      amount: eur(900),
    });
    expect(res).toEqual({ status: 'declined', providerReference, declineCode: 'INSTRUMENT_DECLINED' });
  });
});

describe('PayPal adapter: captures, refunds, voids', () => {
  it('two partial captures, then refunds split across them; over-refunding is declined', async () => {
    const { orderId, paymentId } = await authorized(10_000);
    const c1 = await paypal.capture({
      providerReference: orderId,
      amount: eur(6000),
      idempotencyKey: `${paymentId}:capture:1`,
    });
    const c2 = await paypal.capture({
      providerReference: orderId,
      amount: eur(4000),
      idempotencyKey: `${paymentId}:capture:2`,
    });
    expect(c1.status).toBe('succeeded');
    expect(c2.status).toBe('succeeded');
    expect(c1.providerReference).not.toBe(c2.providerReference);
    const extra = await paypal.capture({
      providerReference: orderId,
      amount: eur(1),
      idempotencyKey: `${paymentId}:capture:3`,
    });
    expect(extra).toEqual({ status: 'declined', declineCode: 'AUTHORIZATION_ALREADY_CAPTURED' });

    const r1 = await paypal.refund({
      providerReference: orderId,
      amount: eur(5000),
      idempotencyKey: `${paymentId}:refund:1`,
      paymentId,
    });
    expect(r1.status).toBe('succeeded');
    // 1000 left on the first capture, 4000 on the second: 4500 needs both.
    const r2 = await paypal.refund({
      providerReference: orderId,
      amount: eur(4500),
      idempotencyKey: `${paymentId}:refund:2`,
      paymentId,
    });
    expect(r2.status).toBe('succeeded');
    expect(r2.providerReference?.split(',')).toHaveLength(2);
    const before = fake.store.refunds.size;
    // The same call again (a retry after a lost answer) refunds nothing more and names the same refunds.
    const again = await paypal.refund({
      providerReference: orderId,
      amount: eur(4500),
      idempotencyKey: `${paymentId}:refund:2`,
      paymentId,
    });
    expect(again).toEqual(r2);
    expect(fake.store.refunds.size).toBe(before);
    const over = await paypal.refund({
      providerReference: orderId,
      amount: eur(501),
      idempotencyKey: `${paymentId}:refund:3`,
      paymentId,
    });
    expect(over).toEqual({ status: 'declined', declineCode: 'REFUND_AMOUNT_EXCEEDED' });
    // Each part's webhook names the one refund call it belongs to.
    const partEvent = fake.events.find((e) => e.body.includes(`"${paymentId}:refund:2:2"`))?.body ?? '';
    const part = await paypal.verifyWebhook(Buffer.from(partEvent), fake.signedHeaders(partEvent));
    expect(part).toMatchObject({ type: 'refunded', idempotencyKey: `${paymentId}:refund:2`, amount: eur(3500) });
    const parts = [...fake.store.refunds.values()].filter((r) => r.invoiceId?.startsWith(`${paymentId}:refund:2`));
    expect(parts.map((r) => [r.invoiceId, r.amount.value, r.customId])).toEqual([
      [`${paymentId}:refund:2:1`, '10.00', paymentId],
      [`${paymentId}:refund:2:2`, '35.00', paymentId],
    ]);

    expect(await paypal.lookup?.(orderId)).toEqual({
      providerReference: orderId,
      paymentId,
      status: 'COMPLETED',
      currency: 'EUR',
      authorized: 10_000,
      captured: 10_000,
      refunded: 9500,
    });
  });

  it('void releases the authorization; capture afterwards is declined; void after capture is declined', async () => {
    const { orderId, paymentId } = await authorized(3000);
    const call = { providerReference: orderId, idempotencyKey: `${paymentId}:void` };
    expect((await paypal.cancel(call)).status).toBe('succeeded');
    expect((await paypal.cancel(call)).status).toBe('succeeded');
    const capture = await paypal.capture({
      providerReference: orderId,
      amount: eur(100),
      idempotencyKey: `${paymentId}:capture:1`,
    });
    expect(capture).toEqual({ status: 'declined', declineCode: 'AUTHORIZATION_VOIDED' });
    expect((await paypal.lookup?.(orderId))?.authorized).toBe(0);

    const other = await authorized(3000);
    await paypal.capture({
      providerReference: other.orderId,
      amount: eur(100),
      idempotencyKey: `${other.paymentId}:capture:1`,
    });
    const late = await paypal.cancel({ providerReference: other.orderId, idempotencyKey: `${other.paymentId}:void` });
    expect(late).toEqual({ status: 'declined', declineCode: 'PREVIOUSLY_CAPTURED' });
    expect(await paypal.lookup?.(other.orderId)).toMatchObject({ authorized: 3000, captured: 100, refunded: 0 });

    const unapproved = await paypal.initiate(initiateInput(100));
    expect(await paypal.cancel({ providerReference: unapproved.providerReference, idempotencyKey: 'x:void' })).toEqual({
      status: 'succeeded',
    });
  });

  it('a capture whose answer comes too late throws (outcome unknown); the retry with the same key captures once', async () => {
    const { orderId, paymentId } = await authorized(5000);
    const impatient = paypalProvider({ ...settings, timeoutMs: 150 });
    fake.faults.push({ kind: 'slow', delayMs: 1000, match: /^POST \/v2\/payments\/authorizations\/.+\/capture$/ });
    const call = { providerReference: orderId, amount: eur(2000), idempotencyKey: `${paymentId}:capture:1` };
    const err = await impatient.capture(call).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaymentProviderError);
    expect(err).toMatchObject({ code: 'PAYMENT_PROVIDER_TIMEOUT', retryable: true });
    expect(capturesAtFake(orderId)).toBe(1);
    const retry = await impatient.capture(call);
    expect(retry.status).toBe('succeeded');
    expect(retry.providerReference).toBe(fake.store.orders.get(orderId)?.captureIds[0]);
    expect(capturesAtFake(orderId)).toBe(1);
  });

  it('a 5xx is an unknown outcome; bad credentials fail without echoing secrets', async () => {
    const { orderId, paymentId } = await authorized(1000);
    fake.faults.push({ kind: 'error', status: 503, match: /capture$/ });
    const call = { providerReference: orderId, amount: eur(500), idempotencyKey: `${paymentId}:capture:1` };
    const err = await paypal.capture(call).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PAYMENT_PROVIDER_ERROR', status: 502 });
    expect((await paypal.capture(call)).status).toBe('succeeded');
    // A failed token request must not stick to the client (the SDK caches its token as one shared promise).
    const fresh = paypalProvider(settings);
    fake.faults.push({ kind: 'error', status: 503, match: /oauth2/ });
    await expect(fresh.lookup?.(orderId)).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_ERROR' });
    expect((await fresh.lookup?.(orderId))?.captured).toBe(500);

    const wrong = paypalProvider({ ...settings, clientSecret: 'super-secret-value-123' });
    const denied = await wrong.lookup?.(orderId).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PaymentProviderError);
    const dump = JSON.stringify(denied, Object.getOwnPropertyNames(denied)) + String((denied as Error).cause);
    expect(dump).not.toContain('super-secret-value-123');
    expect(dump).not.toContain(Buffer.from('paypal-client-backroom:super-secret-value-123').toString('base64'));
  });
});

describe('PayPal adapter: webhooks', () => {
  const verify = (body: string, headers: Record<string, string>, p = paypal) =>
    p.verifyWebhook(Buffer.from(body), headers);
  const lastEvent = (type: string) => {
    const e = [...fake.events].reverse().find((x) => x.type === type);
    if (!e) throw new Error(`no ${type} event`);
    return e;
  };
  const verified = (type: string): Promise<ProviderEvent> => {
    const e = lastEvent(type);
    return verify(e.body, fake.signedHeaders(e.body));
  };

  it('normalises every event type after checking the signature', async () => {
    const { orderId, paymentId } = await authorized(4000);
    const auth = fake.store.orders.get(orderId)?.authorizationIds[0];
    expect(await verified('PAYMENT.AUTHORIZATION.CREATED')).toMatchObject({
      type: 'authorized',
      providerType: 'PAYMENT.AUTHORIZATION.CREATED',
      paymentId,
      providerReference: orderId,
      objectReference: auth,
      amount: eur(4000),
    });
    const capture = await paypal.capture({
      providerReference: orderId,
      amount: eur(1500),
      idempotencyKey: `${paymentId}:capture:1`,
    });
    const captured = await verified('PAYMENT.CAPTURE.COMPLETED');
    expect(captured).toMatchObject({
      type: 'captured',
      paymentId,
      providerReference: orderId,
      objectReference: capture.providerReference,
      amount: eur(1500),
      cumulative: false,
      idempotencyKey: `${paymentId}:capture:1`,
    });
    expect(captured.eventId).toBe(lastEvent('PAYMENT.CAPTURE.COMPLETED').id);
    const refund = await paypal.refund({
      providerReference: orderId,
      amount: eur(500),
      idempotencyKey: `${paymentId}:refund:1`,
      paymentId,
    });
    expect(await verified('PAYMENT.CAPTURE.REFUNDED')).toMatchObject({
      type: 'refunded',
      paymentId,
      objectReference: refund.providerReference,
      // A refund names its capture only by its `up` link (no order id in PayPal's refund resource).
      parentReference: capture.providerReference,
      providerReference: undefined,
      amount: eur(500),
      idempotencyKey: `${paymentId}:refund:1`,
    });

    const dispute = await fetch(`${fake.url}/_fake/captures/${capture.providerReference}/dispute`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'UNAUTHORISED' }),
    }).then((r) => r.json() as Promise<{ dispute_id: string }>);
    expect(await verified('CUSTOMER.DISPUTE.CREATED')).toMatchObject({
      type: 'dispute_opened',
      objectReference: capture.providerReference,
      paymentId,
      dispute: { id: dispute.dispute_id, reason: 'UNAUTHORISED', status: 'OPEN', amount: eur(1500) },
    });
    await fetch(`${fake.url}/_fake/disputes/${dispute.dispute_id}/resolve`, {
      method: 'POST',
      body: JSON.stringify({ outcome: 'RESOLVED_SELLER_FAVOUR' }),
    });
    expect(await verified('CUSTOMER.DISPUTE.RESOLVED')).toMatchObject({
      type: 'dispute_closed',
      dispute: { id: dispute.dispute_id, status: 'RESOLVED' },
    });

    const other = await authorized(700);
    await paypal.cancel({ providerReference: other.orderId, idempotencyKey: `${other.paymentId}:void` });
    expect(await verified('PAYMENT.AUTHORIZATION.VOIDED')).toMatchObject({
      type: 'voided',
      paymentId: other.paymentId,
      providerReference: other.orderId,
    });
    expect(await verified('CHECKOUT.ORDER.APPROVED')).toMatchObject({
      type: 'approved',
      providerReference: other.orderId,
    });

    const denied = JSON.stringify({
      id: 'WH-DENIED-1',
      event_type: 'PAYMENT.CAPTURE.DENIED',
      resource: {
        id: 'CAP1',
        status: 'DECLINED',
        custom_id: paymentId,
        amount: { currency_code: 'EUR', value: '1.00' },
      },
    });
    expect(await verify(denied, fake.signedHeaders(denied))).toMatchObject({
      eventId: 'WH-DENIED-1',
      type: 'failed',
      paymentId,
      objectReference: 'CAP1',
      declineCode: 'DECLINED',
    });
  });

  it('rejects a wrong webhook id, an altered body, an old or future time, a foreign cert host, a missing header', async () => {
    const body = lastEvent('PAYMENT.AUTHORIZATION.CREATED').body;
    const headers = fake.signedHeaders(body);
    await expect(verify(body, headers)).resolves.toMatchObject({ type: 'authorized' });
    const rejects = (b: string, h: Record<string, string>, p = paypal) =>
      expect(verify(b, h, p)).rejects.toBeInstanceOf(InvalidWebhookSignatureError);

    await rejects(body, headers, paypalProvider({ ...settings, webhookId: 'WH-SOMEONE-ELSE' }));
    await rejects(body.replace('"EUR"', '"USD"'), headers);
    const old = new Date(Date.now() - 301_000).toISOString();
    await rejects(body, fake.signedHeaders(body, { transmissionTime: old }));
    const future = new Date(Date.now() + 600_000).toISOString();
    await rejects(body, fake.signedHeaders(body, { transmissionTime: future }));
    await rejects(body, {
      ...headers,
      'paypal-cert-url': 'https://evil.example/v1/notifications/certs/CERT-fake-backroom',
    });
    await rejects(body, {
      ...headers,
      'paypal-cert-url': `${fake.url.replace(/:\d+$/, ':1')}/v1/notifications/certs/x`,
    });
    await rejects(body, { ...headers, 'paypal-auth-algo': 'SHA1withRSA' });
    for (const name of Object.keys(headers)) {
      const { [name]: _, ...missing } = headers;
      await rejects(body, missing);
    }
    // Without apiBase only PayPal's hosts are trusted: the fake's certificate is never fetched.
    await rejects(body, headers, paypalProvider({ ...settings, apiBase: undefined }));
  });
});
