import { createServer, type Server } from 'node:http';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../src/fake-gateways/stripe/index.js';

/** Shared by the fake Stripe's own tests (stripe.fake.test.ts, stripe.fake.flows.test.ts). */

export const SK = 'sk_test_backroom';
export const PK = 'pk_test_backroom';

/** A webhook endpoint that records what it receives. */
export async function startReceiver() {
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

export const sdkFor = (fake: FakeStripe, key = SK) =>
  new Stripe(key, { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });

/** A raw form POST, as Stripe.js or curl would send it. */
export async function post(
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

export const errorOf = (body: Record<string, unknown>) => body.error as Record<string, unknown>;

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A fake Stripe whose webhooks go to a recording receiver, and the SDK pointed at it. */
export async function startFakeStripeSuite(): Promise<{ fake: FakeStripe; stripe: Stripe; receiver: Receiver }> {
  const receiver = await startReceiver();
  const fake = await startFakeStripe({ webhookUrl: receiver.url });
  return { fake, stripe: sdkFor(fake), receiver };
}

export const manualIntentOf =
  (stripe: () => Stripe) =>
  (amount = 5000, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
    stripe().paymentIntents.create({ amount, currency: 'eur', capture_method: 'manual', ...extra });

/**
 * One fake Stripe for a test file: started before its tests (handed to `use`), stopped after them, its injected
 * faults cleared after each test.
 */
export function useFakeStripeSuite(
  use: (suite: { fake: FakeStripe; stripe: Stripe; receiver: Receiver }) => void,
): void {
  let suite: { fake: FakeStripe; stripe: Stripe; receiver: Receiver } | undefined;
  beforeAll(async () => {
    suite = await startFakeStripeSuite();
    use(suite);
  });
  afterAll(async () => {
    await suite?.fake.close();
    await suite?.receiver.close();
  });
  afterEach(() => {
    if (suite) suite.fake.faults.length = 0;
  });
}
