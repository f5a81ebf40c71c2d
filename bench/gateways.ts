import { createHmac, randomBytes } from 'node:crypto';
import type autocannon from 'autocannon';
import { startFakeStripe } from '../src/fake-gateways/stripe/index.js';
import { type BenchContext, load, type Result, startBackroom } from './support.js';

/**
 * Gateway webhooks: how many signed Stripe events per second Backroom verifies (HMAC over the raw body), stores once
 * in its inbox and applies. Each request is a new event (a fresh id, signed per request as Stripe signs); the
 * PaymentIntents are not ours, so applying is the lookup that finds no payment — the fixed cost every event pays.
 * A second row replays one event id: the duplicate path a gateway retry storm takes.
 */
export async function webhookScenarios(ctx: BenchContext): Promise<Record<string, Result>> {
  const secret = 'whsec_backroom';
  const stripe = await startFakeStripe({ holdWebhooks: true, webhookSecret: secret });
  const server = await startBackroom(ctx, {
    STRIPE_SECRET_KEY: 'sk_test_backroom',
    STRIPE_WEBHOOK_SECRET: secret,
    STRIPE_API_BASE: stripe.url,
  });
  const event = (id: string) =>
    JSON.stringify({
      id,
      object: 'event',
      type: 'payment_intent.succeeded',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: `pi_${id.slice(4)}`,
          object: 'payment_intent',
          amount: 4990,
          amount_received: 4990,
          currency: 'eur',
          status: 'succeeded',
          metadata: {},
        },
      },
    });
  const sign = (body: string) => {
    const t = Math.floor(Date.now() / 1000);
    return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
  };
  try {
    const fresh = await load(ctx, server.url, {
      path: '/v1/webhooks/stripe',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          setupRequest: (req: autocannon.Request) => {
            const body = event(`evt_${randomBytes(12).toString('hex')}`);
            req.body = body;
            req.headers = { ...req.headers, 'content-type': 'application/json', 'stripe-signature': sign(body) };
            return req;
          },
        },
      ],
    });
    const replayed = event('evt_replayed_once');
    const duplicate = await load(ctx, server.url, {
      path: '/v1/webhooks/stripe',
      method: 'POST',
      body: replayed,
      headers: { 'content-type': 'application/json', 'stripe-signature': sign(replayed) },
    });
    return {
      'POST /v1/webhooks/stripe (new events)': { ...fresh, note: 'verify + store + apply, one event per request' },
      'POST /v1/webhooks/stripe (replays)': { ...duplicate, note: 'verify + duplicate id acknowledged' },
    };
  } finally {
    await server.stop();
    await stripe.close();
  }
}
