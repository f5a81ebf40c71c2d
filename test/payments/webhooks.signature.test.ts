import { createSign, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_PAYPAL_KEY_PEM } from '../../src/fake-gateways/paypal/cert.js';
import { CERT_PATH } from '../../src/fake-gateways/paypal/index.js';
import { crc32 } from '../../src/modules/payments/providers/paypal.webhooks.js';
import {
  complete,
  eventsOf,
  type GatewayShop,
  inboxDrained,
  type PreparedCart,
  paymentRow,
  paypalApprove,
  paypalShop,
  preparedCart,
  stripeConfirm,
  stripeShop,
} from './gateway-e2e.helpers.js';

/**
 * Gateway webhooks over HTTP, for both gateways, with an event the fake gateway really recorded: a good signature is
 * stored once (a replay is acknowledged as a duplicate); anything else — a wrong key, a stale timestamp, a body changed
 * after signing, a missing header, an empty or non-JSON body — is 400 INVALID_WEBHOOK_SIGNATURE and changes nothing:
 * no inbox row, no payment or ledger change. Each rejected variant is later delivered correctly signed and accepted,
 * so every refusal is about the signature and not about the event.
 */

interface Event {
  id: string;
  body: string;
}
type Headers = Record<string, string>;
interface SignOpts {
  /** Sign with a key that is not the one Backroom holds (Stripe: another secret; PayPal: another webhook id). */
  wrongKey?: boolean;
  /** When the gateway signed (default now). */
  at?: Date;
}

interface Gateway {
  name: 'stripe' | 'paypal';
  start(): Promise<GatewayShop>;
  /** A cart paid through the gateway and one real event about it, not yet delivered. */
  event(g: GatewayShop): Promise<{ cart: PreparedCart; event: Event }>;
  sign(g: GatewayShop, body: string, opts?: SignOpts): Headers;
  /** The headers that carry the signature; each one missing is a refusal. */
  signatureHeaders: string[];
  /** The header holding the signature itself (must never be logged). */
  signature: string;
  /** The test's own signer with the right key (when the wrong key needs one): must be accepted. */
  control?(g: GatewayShop, body: string): Headers;
}

/** PayPal's scheme, signed here so that the webhook id can be another one (the fake always uses its own). */
function paypalHeaders(g: GatewayShop, body: string, webhookId: string, at: Date): Headers {
  const id = randomUUID();
  const time = at.toISOString();
  const sig = createSign('sha256')
    .update(`${id}|${time}|${webhookId}|${crc32(Buffer.from(body))}`)
    .sign(FAKE_PAYPAL_KEY_PEM, 'base64');
  return {
    'paypal-transmission-id': id,
    'paypal-transmission-time': time,
    'paypal-cert-url': `${g.paypal?.url}${CERT_PATH}`,
    'paypal-auth-algo': 'SHA256withRSA',
    'paypal-transmission-sig': sig,
  };
}

const gateways: Gateway[] = [
  {
    name: 'stripe',
    start: () => stripeShop(),
    async event(g) {
      const cart = await preparedCart(g);
      const from = eventsOf(g).length;
      expect(
        await stripeConfirm(g.stripe as NonNullable<GatewayShop['stripe']>, cart.clientData.clientSecret ?? ''),
      ).toBe(200);
      const [event] = eventsOf(g, from, ['payment_intent.amount_capturable_updated']);
      if (!event) throw new Error('the fake recorded no authorization event');
      return { cart, event };
    },
    sign(g, body, opts = {}) {
      const stripe = g.stripe as NonNullable<GatewayShop['stripe']>;
      return {
        'stripe-signature': stripe.signatureHeader(body, {
          ...(opts.wrongKey ? { secret: 'whsec_wrong' } : {}),
          ...(opts.at ? { timestamp: Math.floor(opts.at.getTime() / 1000) } : {}),
        }),
      };
    },
    signatureHeaders: ['stripe-signature'],
    signature: 'stripe-signature',
  },
  {
    name: 'paypal',
    start: () => paypalShop(),
    async event(g) {
      const cart = await preparedCart(g);
      await paypalApprove(g.paypal as NonNullable<GatewayShop['paypal']>, cart.clientData.orderId ?? '');
      const from = eventsOf(g).length;
      const done = await complete(g.t, cart.cartId);
      expect(done.statusCode, done.body).toBe(200);
      const [event] = eventsOf(g, from, ['PAYMENT.AUTHORIZATION.CREATED']);
      if (!event) throw new Error('the fake recorded no authorization event');
      return { cart, event };
    },
    sign(g, body, opts = {}) {
      if (opts.wrongKey) return paypalHeaders(g, body, 'WH-SOMEONE-ELSE', new Date());
      const paypal = g.paypal as NonNullable<GatewayShop['paypal']>;
      return paypal.signedHeaders(body, opts.at ? { transmissionTime: opts.at.toISOString() } : {});
    },
    control: (g, body) => paypalHeaders(g, body, 'WH-FAKE-BACKROOM', new Date()),
    signatureHeaders: [
      'paypal-transmission-id',
      'paypal-transmission-time',
      'paypal-cert-url',
      'paypal-auth-algo',
      'paypal-transmission-sig',
    ],
    signature: 'paypal-transmission-sig',
  },
];

/** The same bytes with one of them changed (the event id's last character): still JSON, no longer what was signed. */
function oneByteChanged(event: Event): string {
  const at = event.body.indexOf(event.id) + event.id.length - 1;
  const c = event.body[at] === 'A' ? 'B' : 'A';
  return `${event.body.slice(0, at)}${c}${event.body.slice(at + 1)}`;
}

describe.each(gateways)('$name webhook signatures over HTTP', (gw) => {
  let g: GatewayShop;
  let cart: PreparedCart;
  let event: Event;
  /** Every signature header value sent: none may ever be logged. */
  const sent: string[] = [];

  beforeAll(async () => {
    g = await gw.start();
    ({ cart, event } = await gw.event(g));
  });
  afterAll(() => g?.close());

  const post = (headers: Headers, body: string, url = `/v1/webhooks/${gw.name}`) => {
    const signature = headers[gw.signature];
    if (signature) sent.push(signature);
    return g.t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: body,
    });
  };

  const inboxRows = async () =>
    g.t.db.db
      .selectFrom('payment_webhook_event')
      .select(['event_id', 'status'])
      .where('provider', '=', gw.name)
      .execute();

  /** Everything a delivery could change: the inbox, the payment row and its ledger. */
  const state = async () => ({
    inbox: await inboxRows(),
    payment: await paymentRow(g.t, cart.paymentId),
    ledger: await g.t.db.db
      .selectFrom('payment_transaction')
      .select(['kind', 'status', 'amount', 'provider_reference'])
      .where('payment_id', '=', cart.paymentId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  });

  const rejected: [string, () => { headers: Headers; body: string }][] = [
    ['signed with the wrong key', () => ({ headers: gw.sign(g, event.body, { wrongKey: true }), body: event.body })],
    [
      'signed an hour ago (beyond the 300 s tolerance)',
      () => ({ headers: gw.sign(g, event.body, { at: new Date(Date.now() - 3_600_000) }), body: event.body }),
    ],
    [
      'signed six minutes ago (just beyond the tolerance)',
      () => ({ headers: gw.sign(g, event.body, { at: new Date(Date.now() - 360_000) }), body: event.body }),
    ],
    [
      'signed an hour in the future',
      () => ({ headers: gw.sign(g, event.body, { at: new Date(Date.now() + 3_600_000) }), body: event.body }),
    ],
    [
      'a body changed by one byte after signing',
      () => ({ headers: gw.sign(g, event.body), body: oneByteChanged(event) }),
    ],
    ['no signature headers at all', () => ({ headers: {}, body: event.body })],
    ...gw.signatureHeaders.map((name): [string, () => { headers: Headers; body: string }] => [
      `the ${name} header missing`,
      () => {
        const { [name]: _gone, ...headers } = gw.sign(g, event.body);
        return { headers, body: event.body };
      },
    ]),
    ['an empty body (signed)', () => ({ headers: gw.sign(g, ''), body: '' })],
    ['a body that is not JSON (signed)', () => ({ headers: gw.sign(g, 'not json {'), body: 'not json {' })],
    [
      'a signature taken from another body',
      () => ({ headers: gw.sign(g, event.body.replace(event.id, `${event.id}x`)), body: event.body }),
    ],
  ];

  it.each(rejected)('%s → 400 INVALID_WEBHOOK_SIGNATURE, nothing stored or changed', async (_label, make) => {
    const before = await state();
    const { headers, body } = make();
    const res = await post(headers, body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, code: 'INVALID_WEBHOOK_SIGNATURE' });
    expect(await state()).toEqual(before);
  });

  it('a correctly signed event → 200 and exactly one inbox row, then applied', async () => {
    const before = await state();
    expect(before.inbox.map((r) => r.event_id)).not.toContain(event.id);
    const res = await post(gw.sign(g, event.body), event.body);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ received: true, duplicate: false });
    const after = await inboxRows();
    expect(after).toHaveLength(before.inbox.length + 1);
    expect(after.filter((r) => r.event_id === event.id)).toHaveLength(1);
    await inboxDrained(g.t);
    expect((await paymentRow(g.t, cart.paymentId)).status).toBe('authorized');
  });

  it('the same event again (a replay, freshly signed) → 200 duplicate:true, still one row, nothing counted twice', async () => {
    await inboxDrained(g.t);
    const before = await state();
    const signers = [() => gw.sign(g, event.body), () => (gw.control ?? gw.sign)(g, event.body)];
    for (const sign of signers) {
      const res = await post(sign(), event.body);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ received: true, duplicate: true });
    }
    await inboxDrained(g.t);
    const after = await state();
    expect(after.inbox.filter((r) => r.event_id === event.id)).toHaveLength(1);
    expect(after).toEqual(before);
  });

  it('unknown, manual and unconfigured providers → 404, nothing stored', async () => {
    const before = (await g.t.db.db.selectFrom('payment_webhook_event').select('event_id').execute()).length;
    const other = gw.name === 'stripe' ? 'paypal' : 'stripe';
    for (const provider of ['nope', 'manual', other]) {
      const res = await post(gw.sign(g, event.body), event.body, `/v1/webhooks/${provider}`);
      expect(res.statusCode, `${provider}: ${res.body}`).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const after = (await g.t.db.db.selectFrom('payment_webhook_event').select('event_id').execute()).length;
    expect(after).toBe(before);
  });

  it('no signature header value ever appears in the logs', () => {
    expect(sent.length).toBeGreaterThan(5);
    const logged = g.t.logs.raw.join('\n');
    for (const value of sent) expect(logged).not.toContain(value);
  });
});
