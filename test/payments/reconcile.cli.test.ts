import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeStripe, startFakeStripe } from '../../src/fake-gateways/stripe/index.js';
import { backroom, cliDatabase } from '../support/cli.js';

/** `backroom payments reconcile` as an operator runs it: the real CLI process against a database and Stripe. */
describe('backroom payments reconcile', { timeout: 180_000 }, () => {
  let stripe: FakeStripe;
  let db: Awaited<ReturnType<typeof cliDatabase>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    stripe = await startFakeStripe({ holdWebhooks: true });
    db = await cliDatabase('reconcile');
    env = {
      ...db.env,
      STRIPE_SECRET_KEY: 'sk_test_backroom',
      STRIPE_WEBHOOK_SECRET: 'whsec_backroom',
      STRIPE_API_BASE: stripe.url,
      LOG_LEVEL: 'error',
    };
  });
  afterAll(async () => {
    await db.cleanup();
    await stripe.close();
  });

  it('exits 0 when the gateway agrees, 1 listing each difference, 2 for a bad --since', async () => {
    const clean = await backroom(['payments', 'reconcile', '--since', '24h'], env);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/0 payment\(s\) compared \(stripe\).*0 difference\(s\)/);

    // Money at Stripe that Backroom has no payment for.
    const res = await fetch(`${stripe.url}/v1/payment_intents`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_backroom', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'amount=1250&currency=eur&capture_method=manual&confirm=true&payment_method=pm_card_visa',
    });
    const pi = (await res.json()) as { id: string };
    const dirty = await backroom(['payments', 'reconcile', '--since', '24h'], env);
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toContain(`MISMATCH stripe - ${pi.id} unknown_at_backroom: ours=- gateway=1250`);

    const bad = await backroom(['payments', 'reconcile', '--since', 'yesterday'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since');
  });
});
