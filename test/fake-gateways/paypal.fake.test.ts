import { createVerify, randomUUID, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakePayPal, startFakePayPal } from '../../src/fake-gateways/paypal/index.js';

/** The fake PayPal as an HTTP client sees it: PayPal's rules the adapter relies on, and its webhook signatures. */

let fake: FakePayPal;
let token = '';

interface Res {
  status: number;
  body: Record<string, unknown> & { details?: { issue: string }[] };
  text: string;
  headers: Headers;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await res.text();
  let parsed = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {}
  return { status: res.status, body: parsed as Res['body'], text, headers: res.headers };
}

const issue = (r: Res) => r.body.details?.[0]?.issue;
const eur = (value: string) => ({ currency_code: 'EUR', value });

async function approvedOrder(intent: 'AUTHORIZE' | 'CAPTURE', value = '100.00', outcome = 'approve'): Promise<string> {
  const created = await call('POST', '/v2/checkout/orders', {
    intent,
    purchase_units: [{ amount: eur(value), custom_id: 'pay_1' }],
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await call('POST', `/_fake/orders/${id}/approve`, { outcome })).status).toBe(200);
  return id;
}

async function authorization(value = '100.00'): Promise<string> {
  const id = await approvedOrder('AUTHORIZE', value);
  const res = await call('POST', `/v2/checkout/orders/${id}/authorize`, {});
  expect(res.status).toBe(201);
  const units = res.body.purchase_units as { payments: { authorizations: { id: string }[] } }[];
  return units[0]?.payments.authorizations[0]?.id as string;
}

beforeAll(async () => {
  fake = await startFakePayPal({ holdWebhooks: true });
  const basic = Buffer.from('paypal-client-backroom:paypal-secret-backroom').toString('base64');
  const res = await fetch(`${fake.url}/v1/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
  expect(res.status).toBe(200);
  expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 32400 });
  token = body.access_token;
});
afterAll(() => fake.close());

describe('fake PayPal: OAuth', () => {
  it('refuses bad client credentials and API calls without an issued bearer token', async () => {
    const bad = await fetch(`${fake.url}/v1/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('paypal-client-backroom:nope').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: 'invalid_client', error_description: 'Client Authentication failed' });
    expect((await call('GET', '/v2/checkout/orders/X', undefined, { authorization: 'Bearer forged' })).status).toBe(
      401,
    );
    expect((await call('GET', '/v2/checkout/orders/NOPE')).body).toMatchObject({ name: 'RESOURCE_NOT_FOUND' });
  });
});

describe('fake PayPal: orders', () => {
  it('creates an order with a 17-character id and a payer-action link, validates amounts', async () => {
    const res = await call('POST', '/v2/checkout/orders', {
      intent: 'AUTHORIZE',
      purchase_units: [{ amount: eur('10.50') }],
      payment_source: {
        paypal: { experience_context: { return_url: 'https://shop.test/back', user_action: 'PAY_NOW' } },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^[A-Z0-9]{17}$/);
    expect(res.body.status).toBe('PAYER_ACTION_REQUIRED');
    const links = res.body.links as { rel: string; href: string }[];
    const action = links.find((l) => l.rel === 'payer-action');
    expect(action?.href).toBe(`${fake.url}/checkoutnow?token=${res.body.id}`);
    const page = await fetch(action?.href ?? '');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain(`approve order ${res.body.id} for €10.50`);

    // The approval page's form sends the buyer back to return_url, as PayPal does.
    const form = await fetch(`${fake.url}/_fake/orders/${res.body.id}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=approve',
      redirect: 'manual',
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe(`https://shop.test/back?token=${res.body.id}&PayerID=FAKEPAYER0001`);
    expect((await call('GET', `/v2/checkout/orders/${res.body.id}`)).body.status).toBe('APPROVED');

    const invalid = await call('POST', '/v2/checkout/orders', {
      intent: 'CAPTURE',
      purchase_units: [{ amount: eur('10.505') }],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({
      name: 'INVALID_REQUEST',
      details: [{ field: '/purchase_units/0/amount/value' }],
    });
  });

  it('authorize needs approval and the AUTHORIZE intent; an order completes once', async () => {
    const created = await call('POST', '/v2/checkout/orders', {
      intent: 'AUTHORIZE',
      purchase_units: [{ amount: eur('5.00') }],
    });
    const id = created.body.id as string;
    expect(issue(await call('POST', `/v2/checkout/orders/${id}/authorize`))).toBe('ORDER_NOT_APPROVED');
    // The approval page's form post redirects back to nowhere here, so it answers a page.
    const form = await fetch(`${fake.url}/_fake/orders/${id}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'outcome=approve',
    });
    expect(form.status).toBe(200);
    expect(issue(await call('POST', `/v2/checkout/orders/${id}/capture`))).toBe('ACTION_DOES_NOT_MATCH_INTENT');
    const done = await call('POST', `/v2/checkout/orders/${id}/authorize`);
    expect(done.body.status).toBe('COMPLETED');
    expect(issue(await call('POST', `/v2/checkout/orders/${id}/authorize`))).toBe('ORDER_ALREADY_AUTHORIZED');
  });

  it('a declining approval fails authorize with INSTRUMENT_DECLINED', async () => {
    const id = await approvedOrder('CAPTURE', '5.00', 'decline');
    const res = await call('POST', `/v2/checkout/orders/${id}/capture`);
    expect(res.status).toBe(422);
    expect(issue(res)).toBe('INSTRUMENT_DECLINED');
  });
});

describe('fake PayPal: idempotency (PayPal-Request-Id)', () => {
  it('replays the first answer for the same body, refuses another body, and acts once under concurrency', async () => {
    const auth = await authorization('30.00');
    const key = `k-${randomUUID()}`;
    const body = { amount: eur('10.00'), invoice_id: key };
    const headers = { 'paypal-request-id': key };
    const [a, b, c] = await Promise.all([
      call('POST', `/v2/payments/authorizations/${auth}/capture`, body, headers),
      call('POST', `/v2/payments/authorizations/${auth}/capture`, body, headers),
      call('POST', `/v2/payments/authorizations/${auth}/capture`, body, headers),
    ]);
    expect(a.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expect(c.body.id).toBe(a.body.id);
    // PayPal answers a replayed PayPal-Request-Id with the first result and 200, not 201.
    expect([b.status, c.status]).toEqual([200, 200]);
    const replay = await call('POST', `/v2/payments/authorizations/${auth}/capture`, body, headers);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(a.body);
    const other = await call('POST', `/v2/payments/authorizations/${auth}/capture`, { amount: eur('11.00') }, headers);
    expect(other.status).toBe(422);
    expect(issue(other)).toBe('PAYPAL_REQUEST_ID_PREVIOUSLY_USED');
    expect(fake.store.authorizations.get(auth)?.captureIds).toHaveLength(1);
  });
});

describe('fake PayPal: captures, voids and refunds', () => {
  it('partial captures up to the authorized amount, then CAPTURED; over the rest is refused', async () => {
    const auth = await authorization('100.00');
    const first = await call('POST', `/v2/payments/authorizations/${auth}/capture`, { amount: eur('40.00') });
    expect(first.body).toMatchObject({ status: 'COMPLETED', final_capture: false, custom_id: 'pay_1' });
    expect((await call('GET', `/v2/payments/authorizations/${auth}`)).body.status).toBe('PARTIALLY_CAPTURED');
    const over = await call('POST', `/v2/payments/authorizations/${auth}/capture`, { amount: eur('60.01') });
    expect(issue(over)).toBe('MAX_CAPTURE_AMOUNT_EXCEEDED');
    await call('POST', `/v2/payments/authorizations/${auth}/capture`, { amount: eur('60.00') });
    expect((await call('GET', `/v2/payments/authorizations/${auth}`)).body.status).toBe('CAPTURED');
    const again = await call('POST', `/v2/payments/authorizations/${auth}/capture`, { amount: eur('1.00') });
    expect(issue(again)).toBe('AUTHORIZATION_ALREADY_CAPTURED');
    expect(issue(await call('POST', `/v2/payments/authorizations/${auth}/void`))).toBe('PREVIOUSLY_CAPTURED');
  });

  it('a final capture closes the authorization even when partial', async () => {
    const auth = await authorization('100.00');
    await call('POST', `/v2/payments/authorizations/${auth}/capture`, { amount: eur('10.00'), final_capture: true });
    expect((await call('GET', `/v2/payments/authorizations/${auth}`)).body.status).toBe('CAPTURED');
  });

  it('void answers 204 (or the authorization when asked), then refuses captures and second voids', async () => {
    const auth = await authorization('20.00');
    const res = await call('POST', `/v2/payments/authorizations/${auth}/void`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(issue(await call('POST', `/v2/payments/authorizations/${auth}/capture`, {}))).toBe('AUTHORIZATION_VOIDED');
    const second = await call('POST', `/v2/payments/authorizations/${auth}/void`, undefined, {
      prefer: 'return=representation',
    });
    expect(second.status).toBe(422);
    expect(issue(second)).toBe('PREVIOUSLY_VOIDED');
    const auth2 = await authorization('20.00');
    const rep = await call('POST', `/v2/payments/authorizations/${auth2}/void`, undefined, {
      prefer: 'return=representation',
    });
    expect(rep.status).toBe(200);
    expect(rep.body.status).toBe('VOIDED');
  });

  it('partial refunds up to the captured amount; the order shows them', async () => {
    const orderId = await approvedOrder('CAPTURE', '50.00');
    const captured = await call('POST', `/v2/checkout/orders/${orderId}/capture`);
    const units = captured.body.purchase_units as { payments: { captures: { id: string }[] } }[];
    const captureId = units[0]?.payments.captures[0]?.id as string;
    const r1 = await call('POST', `/v2/payments/captures/${captureId}/refund`, {
      amount: eur('20.00'),
      invoice_id: 'r1',
    });
    expect(r1.status).toBe(201);
    // A refund carries only what its request set: not the capture's custom_id, and no order id.
    expect(r1.body).toMatchObject({ status: 'COMPLETED', invoice_id: 'r1' });
    expect(r1.body).not.toHaveProperty('custom_id');
    expect(r1.body).not.toHaveProperty('supplementary_data');
    expect((await call('GET', `/v2/payments/captures/${captureId}`)).body.status).toBe('PARTIALLY_REFUNDED');
    const over = await call('POST', `/v2/payments/captures/${captureId}/refund`, { amount: eur('30.01') });
    expect(issue(over)).toBe('REFUND_AMOUNT_EXCEEDED');
    await call('POST', `/v2/payments/captures/${captureId}/refund`, { amount: eur('30.00') });
    expect((await call('GET', `/v2/payments/captures/${captureId}`)).body.status).toBe('REFUNDED');
    const order = await call('GET', `/v2/checkout/orders/${orderId}`);
    const payments = (order.body.purchase_units as { payments: { refunds: unknown[] } }[])[0]?.payments;
    expect(payments?.refunds).toHaveLength(2);
    expect((await call('GET', `/v2/payments/refunds/${r1.body.id}`)).body.id).toBe(r1.body.id);
  });
});

describe('fake PayPal: webhooks', () => {
  it('signs events so that PayPal-style verification with the served certificate succeeds', async () => {
    const orderId = await approvedOrder('CAPTURE', '12.00');
    await call('POST', `/v2/checkout/orders/${orderId}/capture`);
    const event = fake.events.at(-1);
    expect(event?.type).toBe('PAYMENT.CAPTURE.COMPLETED');
    const body = event?.body ?? '';
    const h = fake.signedHeaders(body);
    expect(h['paypal-auth-algo']).toBe('SHA256withRSA');
    const pem = await (await fetch(h['paypal-cert-url'] ?? '')).text();
    const cert = new X509Certificate(pem);
    const signed = `${h['paypal-transmission-id']}|${h['paypal-transmission-time']}|WH-FAKE-BACKROOM|${crc32(body) >>> 0}`;
    const verifier = createVerify('sha256').update(signed);
    expect(verifier.verify(cert.publicKey, h['paypal-transmission-sig'] ?? '', 'base64')).toBe(true);
    const tampered = createVerify('sha256').update(signed.replace('WH-FAKE-BACKROOM', 'WH-OTHER'));
    expect(tampered.verify(cert.publicKey, h['paypal-transmission-sig'] ?? '', 'base64')).toBe(false);
    expect(JSON.parse(body)).toMatchObject({ event_type: 'PAYMENT.CAPTURE.COMPLETED', resource_type: 'capture' });
  });

  it('delivers events in order to the webhook URL, after the API answer', async () => {
    const received: { type: string; headers: Record<string, unknown> }[] = [];
    const receiver: Server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        received.push({ type: (JSON.parse(raw) as { event_type: string }).event_type, headers: req.headers });
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as { port: number }).port;
    const live = await startFakePayPal({ webhookUrl: `http://127.0.0.1:${port}/hook` });
    try {
      const basic = Buffer.from('paypal-client-backroom:paypal-secret-backroom').toString('base64');
      const t = await fetch(`${live.url}/v1/oauth2/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}` },
        body: 'grant_type=client_credentials',
      });
      const bearer = ((await t.json()) as { access_token: string }).access_token;
      const post = (path: string, body: unknown) =>
        fetch(`${live.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<{ id: string }>);
      const order = await post('/v2/checkout/orders', { intent: 'CAPTURE', purchase_units: [{ amount: eur('1.00') }] });
      await post(`/_fake/orders/${order.id}/approve`, {});
      await post(`/v2/checkout/orders/${order.id}/capture`, {});
      for (let i = 0; i < 50 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(received.map((r) => r.type)).toEqual(['CHECKOUT.ORDER.APPROVED', 'PAYMENT.CAPTURE.COMPLETED']);
      expect(received[0]?.headers['paypal-transmission-sig']).toBeTruthy();
    } finally {
      await live.close();
      receiver.close();
    }
  });
});
