import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakePayPal, startFakePayPal } from '../../src/fake-gateways/paypal/index.js';
import { PaymentProviderError } from '../../src/modules/payments/payments.errors.js';
import type { PaymentProvider } from '../../src/modules/payments/provider.js';
import { paypalProvider } from '../../src/modules/payments/providers/paypal.js';
import { type Recorded, recordingProxy, responseErrors, schemaErrors } from './paypal-spec.helpers.js';

/**
 * The fake PayPal checked against PayPal's own OpenAPI documents: the real adapter drives it through a recording
 * proxy, and every answer it got (successes, replays, error bodies) must match the documented response schema of
 * its operation and status; every webhook body must match the Event schema with a documented resource.
 */
let fake: FakePayPal;
let proxy: Awaited<ReturnType<typeof recordingProxy>>;
let paypal: PaymentProvider;
let n = 0;

const money = (amount: number, currency = 'EUR') => ({ amount, currency });
const key = (what: string) => `pay_spec${++n}:${what}`;

async function authorized(amount: number, currency = 'EUR') {
  const attemptId = `pay_spec${++n}`;
  const started = await paypal.initiate({
    attemptId,
    idempotencyKey: `${attemptId}:initiate`,
    amount: money(amount, currency),
    metadata: {},
  });
  expect(started.status).toBe('requires_action');
  const orderId = started.providerReference;
  await fetch(`${fake.url}/_fake/orders/${orderId}/approve`, { method: 'POST', body: '{}' });
  const res = await paypal.authorize({
    providerReference: orderId,
    idempotencyKey: `${attemptId}:authorize`,
    amount: money(amount, currency),
  });
  expect(res.status).toBe('authorized');
  return { orderId, attemptId };
}

beforeAll(async () => {
  fake = await startFakePayPal({ holdWebhooks: true });
  proxy = await recordingProxy(() => fake.url);
  paypal = paypalProvider({
    clientId: 'paypal-client-backroom',
    clientSecret: 'paypal-secret-backroom',
    webhookId: 'WH-FAKE-BACKROOM',
    environment: 'sandbox',
    apiBase: proxy.url,
    timeoutMs: 5000,
  });
});
afterAll(async () => {
  await proxy.close();
  await fake.close();
});

const template = (r: Recorded) => `${r.method} ${r.path.replace(/\/[A-Z0-9]{17}(?=\/|$)/g, '/{id}')} ${r.status}`;

describe("fake PayPal against PayPal's OpenAPI documents", () => {
  it('every answer the adapter got matches the documented response of its operation and status', async () => {
    const { orderId, attemptId } = await authorized(5000);
    // Partial capture, a capture PayPal holds for review (PENDING), a wrong-currency capture, one over the limit.
    expect(
      (await paypal.capture({ providerReference: orderId, amount: money(1000), idempotencyKey: key('c') })).status,
    ).toBe('succeeded');
    fake.next.capture = 'PENDING';
    await expect(
      paypal.capture({ providerReference: orderId, amount: money(1000), idempotencyKey: key('c') }),
    ).rejects.toBeInstanceOf(PaymentProviderError);
    const usd = await paypal.capture({
      providerReference: orderId,
      amount: money(100, 'USD'),
      idempotencyKey: key('c'),
    });
    expect(usd).toMatchObject({ status: 'declined', declineCode: 'AUTH_CAPTURE_CURRENCY_MISMATCH' });
    const over = await paypal.capture({ providerReference: orderId, amount: money(9000), idempotencyKey: key('c') });
    expect(over).toMatchObject({ status: 'declined', declineCode: 'MAX_CAPTURE_AMOUNT_EXCEEDED' });
    // Refunds: one completed, one PENDING (counted), and a replay of the first call's key (200, same refund).
    const refundKey = `${attemptId}:refund:1`;
    const r1 = await paypal.refund({ providerReference: orderId, amount: money(300), idempotencyKey: refundKey });
    expect(r1.status).toBe('succeeded');
    fake.next.refund = 'PENDING';
    expect(
      (await paypal.refund({ providerReference: orderId, amount: money(200), idempotencyKey: key('r') })).status,
    ).toBe('succeeded');
    // A void while another void with the same key is still running: 409 PREVIOUS_REQUEST_IN_PROGRESS.
    const other = await authorized(700);
    fake.slowWork.push({ match: /\/void$/, delayMs: 300 });
    const voidKey = `${other.attemptId}:void`;
    const [first, second] = await Promise.allSettled([
      paypal.cancel({ providerReference: other.orderId, idempotencyKey: voidKey }),
      new Promise((r) => setTimeout(r, 100)).then(() =>
        paypal.cancel({ providerReference: other.orderId, idempotencyKey: voidKey }),
      ),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { status: 'succeeded' } });
    expect(second.status).toBe('rejected');
    // Zero-decimal currency: whole forints.
    await authorized(100_000, 'HUF');
    // Automatic capture: a CAPTURE order, captured by the adapter's authorize step.
    const auto = `pay_spec${++n}`;
    const created = await paypal.initiate({
      attemptId: auto,
      idempotencyKey: `${auto}:initiate`,
      amount: money(1200),
      captureMethod: 'automatic',
      metadata: {},
    });
    await fetch(`${fake.url}/_fake/orders/${created.providerReference}/approve`, { method: 'POST', body: '{}' });
    const captured = await paypal.authorize({
      providerReference: created.providerReference,
      idempotencyKey: `${auto}:authorize`,
      amount: money(1200),
      captureMethod: 'automatic',
    });
    expect(captured.status).toBe('captured');
    // PayPal drops the token early: 401, then the adapter's retry with a new one.
    fake.expireTokens();
    expect((await paypal.lookup?.(created.providerReference))?.captured).toBe(1200);
    await expect(paypal.lookup?.('NOSUCHORDER000000')).rejects.toBeInstanceOf(PaymentProviderError);

    const seen = new Set(proxy.log.map(template));
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'POST /v2/checkout/orders 201',
        'GET /v2/checkout/orders/{id} 200',
        'GET /v2/checkout/orders/{id} 404',
        'POST /v2/checkout/orders/{id}/authorize 201',
        'POST /v2/checkout/orders/{id}/capture 201',
        'GET /v2/checkout/orders/{id} 401',
        'POST /v2/payments/authorizations/{id}/capture 201',
        'POST /v2/payments/authorizations/{id}/capture 422',
        'POST /v2/payments/captures/{id}/refund 201',
        'POST /v2/payments/authorizations/{id}/void 200',
        'POST /v2/payments/authorizations/{id}/void 409',
      ]),
    );
    const errors = proxy.log.flatMap((r) =>
      responseErrors(r.method, r.path, r.status, r.body).map((e) => `${template(r)}: ${e}`),
    );
    expect(errors).toEqual([]);
  });

  it("error bodies the adapter reads are PayPal's, down to the enumerated issue and description", async () => {
    const { orderId } = await authorized(2000);
    const auth = fake.store.orders.get(orderId)?.authorizationIds[0] ?? '';
    const approvedForReplay = async () => {
      const attemptId = `pay_spec${++n}`;
      const started = await paypal.initiate({
        attemptId,
        idempotencyKey: `${attemptId}:initiate`,
        amount: money(900),
        metadata: {},
      });
      await fetch(`${fake.url}/_fake/orders/${started.providerReference}/approve`, { method: 'POST', body: '{}' });
      return started.providerReference;
    };
    const call = async (method: string, path: string, body?: unknown, requestId?: string) => {
      const token = await fetch(`${fake.url}/v1/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('paypal-client-backroom:paypal-secret-backroom').toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      }).then((r) => r.json() as Promise<{ access_token: string }>);
      const res = await fetch(`${fake.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token.access_token}`,
          'content-type': 'application/json',
          ...(requestId ? { 'paypal-request-id': `${requestId}-${orderId}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as { details?: { issue: string }[] }) : undefined };
    };
    const checks: [string, string, unknown, number, string][] = [
      ['POST', `/v2/payments/authorizations/${auth}/void`, undefined, 204, ''],
      ['POST', `/v2/payments/authorizations/${auth}/void`, undefined, 422, 'PREVIOUSLY_VOIDED'],
      ['POST', `/v2/payments/authorizations/${auth}/capture`, {}, 422, 'AUTHORIZATION_VOIDED'],
    ];
    for (const [method, path, body, status, issue] of checks) {
      const res = await call(method, path, body);
      expect([path, res.status, res.body?.details?.[0]?.issue ?? '']).toEqual([path, status, issue]);
      expect(responseErrors(method, path, res.status, res.body)).toEqual([]);
    }
    // A replayed PayPal-Request-Id: the first result again, 200 (documented for order authorize/capture).
    const again = await approvedForReplay();
    const first = await call('POST', `/v2/checkout/orders/${again}/authorize`, {}, 'replay-1');
    const replay = await call('POST', `/v2/checkout/orders/${again}/authorize`, {}, 'replay-1');
    expect([first.status, replay.status]).toEqual([201, 200]);
    expect(replay.body).toEqual(first.body);
    expect(responseErrors('POST', `/v2/checkout/orders/${again}/authorize`, 200, replay.body)).toEqual([]);
    // 1000.00 HUF: DECIMALS_NOT_SUPPORTED (the detail as in the Payments document's 422 list).
    const huf = await call('POST', '/v2/checkout/orders', {
      intent: 'AUTHORIZE',
      purchase_units: [{ amount: { currency_code: 'HUF', value: '1000.00' } }],
    });
    expect(huf.status).toBe(422);
    expect(huf.body?.details?.[0]?.issue).toBe('DECIMALS_NOT_SUPPORTED');
    expect(schemaErrors('payments', '422', huf.body)).toEqual([]);
    expect(schemaErrors('orders', 'error_422', huf.body)).toEqual([]);
  });

  it("every webhook body is PayPal's Event with the documented resource", async () => {
    const resources: Record<string, ['orders' | 'payments', string]> = {
      'CHECKOUT.ORDER.APPROVED': ['orders', 'order'],
      'PAYMENT.AUTHORIZATION.CREATED': ['payments', 'authorization-2'],
      'PAYMENT.AUTHORIZATION.VOIDED': ['payments', 'authorization-2'],
      'PAYMENT.CAPTURE.COMPLETED': ['payments', 'capture-2'],
      'PAYMENT.CAPTURE.PENDING': ['payments', 'capture-2'],
      'PAYMENT.CAPTURE.DECLINED': ['payments', 'capture-2'],
      'PAYMENT.CAPTURE.REFUNDED': ['payments', 'refund'],
      'PAYMENT.REFUND.PENDING': ['payments', 'refund'],
      'PAYMENT.REFUND.FAILED': ['payments', 'refund'],
      'PAYMENT.CAPTURE.REVERSED': ['payments', 'refund'],
    };
    // The later moves too: a pending capture declined, a pending refund failed, a reversal.
    const { orderId } = await authorized(3000);
    fake.next.capture = 'PENDING';
    await paypal
      .capture({ providerReference: orderId, amount: money(1000), idempotencyKey: key('c') })
      .catch(() => undefined);
    const pending = fake.store.orders.get(orderId)?.captureIds[0] ?? '';
    fake.settleCapture(pending, 'DECLINED');
    await paypal.capture({ providerReference: orderId, amount: money(3000), idempotencyKey: key('c') });
    fake.next.refund = 'PENDING';
    const r = await paypal.refund({ providerReference: orderId, amount: money(500), idempotencyKey: key('r') });
    fake.settleRefund(r.providerReference ?? '', 'FAILED');
    const capture = fake.store.orders.get(orderId)?.captureIds[1] ?? '';
    fake.takeBack(capture, 'reversal', 400);
    const types = new Set(fake.events.map((e) => e.type));
    for (const t of Object.keys(resources)) expect([t, types.has(t)]).toEqual([t, true]);
    const errors: string[] = [];
    for (const e of fake.events) {
      const body = JSON.parse(e.body) as { resource: unknown };
      errors.push(...schemaErrors('webhooks', 'event', body).map((m) => `${e.type} envelope: ${m}`));
      const [doc, schema] = resources[e.type] ?? [];
      if (!doc || !schema) {
        errors.push(`${e.type}: no documented resource`);
        continue;
      }
      errors.push(...schemaErrors(doc, schema, body.resource).map((m) => `${e.type} resource: ${m}`));
    }
    expect(errors).toEqual([]);
  });
});
