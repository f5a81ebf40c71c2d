import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../src/fake-gateways/stripe/index.js';

/**
 * The fake Stripe's answers against Stripe's own example objects (`test/fixtures/stripe`, from Stripe's OpenAPI
 * repository): every field the adapter reads must exist in the real object and come from the fake with the same
 * JSON type (a `null` in Stripe's example means "nullable": the fake may send null or a value). And the fake invents
 * no field Stripe's object does not have.
 */

type Json = null | string | number | boolean | Json[] | { [k: string]: Json };
const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/stripe/fixtures3.objects.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, Json>>;

/** What the adapter (stripe.ts, stripe.status.ts, stripe.events.ts) reads of each object. */
const read = {
  payment_intent: [
    'id',
    'object',
    'amount',
    'amount_capturable',
    'amount_received',
    'currency',
    'status',
    'client_secret',
    'metadata',
    'latest_charge',
    'last_payment_error',
    'created',
    'capture_method',
  ],
  refund: ['id', 'object', 'amount', 'currency', 'status', 'metadata', 'payment_intent', 'charge'],
  charge: ['id', 'object', 'amount_refunded', 'currency', 'metadata', 'payment_intent'],
  dispute: ['id', 'object', 'amount', 'currency', 'reason', 'status', 'charge', 'payment_intent'],
  event: ['id', 'object', 'type', 'api_version', 'created', 'data'],
} as const;

/** Optional fields Stripe's example happens to omit (documented in the API reference). */
const optional: Record<string, string[]> = { refund: ['failure_reason'] };

const kind = (v: Json | undefined) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function mismatches(name: keyof typeof read, real: Record<string, Json>, fake: Record<string, Json>): string[] {
  const out: string[] = [];
  for (const field of read[name]) {
    if (!(field in real)) out.push(`${name}.${field}: not in Stripe's object (the adapter reads a field Stripe lacks)`);
    if (!(field in fake)) out.push(`${name}.${field}: missing from the fake`);
    const [r, f] = [kind(real[field]), kind(fake[field])];
    if (r !== 'null' && f !== 'null' && r !== f) out.push(`${name}.${field}: Stripe ${r}, fake ${f}`);
  }
  for (const field of Object.keys(fake)) {
    if (!(field in real) && !optional[name]?.includes(field)) out.push(`${name}.${field}: the fake invents it`);
  }
  return out;
}

describe("fake Stripe answers against Stripe's example objects", () => {
  let fake: FakeStripe;
  beforeAll(async () => {
    fake = await startFakeStripe({ holdWebhooks: true });
  });
  afterAll(() => fake.close());

  async function call(method: string, path: string, form: Record<string, string> = {}, key = 'sk_test_backroom') {
    const res = await fetch(`${fake.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-www-form-urlencoded' },
      ...(method === 'GET' ? {} : { body: new URLSearchParams(form).toString() }),
    });
    return (await res.json()) as Record<string, Json>;
  }
  const control = async (path: string, body: object) =>
    (await (
      await fetch(`${fake.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as Record<string, Json>;

  it('PaymentIntents (created, declined, authorized, captured, cancelled), charges, refunds, disputes, events', async () => {
    const seen: [keyof typeof read, Record<string, Json>][] = [];
    const create = (capture = 'manual') =>
      call('POST', '/v1/payment_intents', {
        amount: '2500',
        currency: 'eur',
        capture_method: capture,
        'metadata[backroom_payment_id]': 'pay_1',
      });
    const created = await create();
    seen.push(['payment_intent', created]);
    const declined = await create();
    fake.declines.push({ code: 'incorrect_cvc' });
    const error = await call('POST', `/v1/payment_intents/${declined.id}/confirm`, { payment_method: 'pm_card_visa' });
    seen.push(['payment_intent', (error.error as Record<string, Json>).payment_intent as Record<string, Json>]);
    seen.push(['payment_intent', await call('GET', `/v1/payment_intents/${declined.id}`)]);
    seen.push([
      'payment_intent',
      await call('POST', `/v1/payment_intents/${created.id}/confirm`, { payment_method: 'pm_card_visa' }),
    ]);
    const captured = await call('POST', `/v1/payment_intents/${created.id}/capture`, {});
    seen.push(['payment_intent', captured]);
    const other = await create();
    await call('POST', `/v1/payment_intents/${other.id}/confirm`, { payment_method: 'pm_card_visa' });
    seen.push(['payment_intent', await call('POST', `/v1/payment_intents/${other.id}/cancel`, {})]);
    seen.push(['charge', await call('GET', `/v1/charges/${captured.latest_charge}`)]);
    fake.refundStatuses.push('pending');
    const refund = await call('POST', '/v1/refunds', {
      payment_intent: String(created.id),
      amount: '500',
      'metadata[backroom_key]': 'k',
    });
    seen.push(['refund', refund]);
    seen.push(['refund', await control(`/_fake/refunds/${refund.id}/settle`, { status: 'failed' })]);
    const list = await call('GET', `/v1/refunds?payment_intent=${created.id}`);
    for (const r of list.data as Record<string, Json>[]) seen.push(['refund', r]);
    seen.push(['dispute', await control(`/_fake/payment_intents/${created.id}/dispute`, {})]);
    for (const e of fake.events) {
      const event = JSON.parse(e.body) as Record<string, Json>;
      seen.push(['event', event]);
      const object = (event.data as Record<string, Json>).object as Record<string, Json>;
      if (String(object.object) in read) seen.push([object.object as keyof typeof read, object]);
    }
    const problems = seen.flatMap(([name, body]) => mismatches(name, fixtures[name] as Record<string, Json>, body));
    expect([...new Set(problems)]).toEqual([]);
    expect(new Set(seen.map(([name]) => name))).toEqual(new Set(Object.keys(read)));
  });

  it("errors come in Stripe's envelope: type, message, and code/decline_code/param as strings when present", async () => {
    fake.stripeFaults.push({ kind: 'idempotency_key_in_use' }, { kind: 'rate_limit' });
    const bodies = [
      await call('POST', '/v1/payment_intents', { amount: '100', currency: 'eur' }),
      await call('POST', '/v1/payment_intents', { amount: '100', currency: 'eur' }),
      await call('POST', '/v1/payment_intents', { amount: '-1', currency: 'eur' }),
      await call('GET', '/v1/payment_intents/pi_missing'),
    ];
    for (const body of bodies) {
      const error = body.error as Record<string, Json>;
      expect(Object.keys(body)).toEqual(['error']);
      expect(typeof error.type).toBe('string');
      expect(typeof error.message).toBe('string');
      for (const k of ['code', 'decline_code', 'param', 'doc_url']) {
        if (k in error) expect(typeof error[k]).toBe('string');
      }
    }
    expect(bodies.map((b) => (b.error as Record<string, Json>).code)).toEqual([
      'idempotency_key_in_use',
      'rate_limit',
      'parameter_invalid_integer',
      'resource_missing',
    ]);
  });
});
