import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareWithGateways,
  emitMismatches,
  parseDuration,
  refreshGateways,
} from '../../src/modules/payments/index.js';
import { gatewayEnvOf, wireModules } from '../../src/wiring.js';
import {
  complete,
  type GatewayShop,
  paymentRow,
  preparedCart,
  stripeConfirm,
  stripeShop,
} from './gateway-e2e.helpers.js';

/**
 * `backroom payments reconcile`: our ledger against Stripe's own view. A refund made in Stripe's dashboard whose
 * webhook never arrived, and a PaymentIntent we have no record of, are both reported; in-flight calls are not.
 */
describe('reconciliation with the gateway', () => {
  let g: GatewayShop & { stripe: NonNullable<GatewayShop['stripe']> };
  let payments: ReturnType<typeof wireModules>['payments'];

  beforeAll(async () => {
    g = await stripeShop();
    payments = wireModules(g.t.db.db).payments;
    await refreshGateways({ db: g.t.db.db, providers: payments.providers, env: gatewayEnvOf(g.t.config) });
  });
  afterAll(() => g.close());

  const since = () => new Date(Date.now() - 3600_000);

  async function stripeApi(path: string, form: Record<string, string>) {
    const res = await fetch(`${g.stripe.url}${path}`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_backroom', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('agrees when nothing happened behind our back, then reports a dashboard refund and an unknown intent', async () => {
    const cart = await preparedCart(g);
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    expect((await complete(g.t, cart.cartId)).statusCode).toBe(200);
    const clean = await compareWithGateways(payments, { since: since() });
    expect(clean.providers).toEqual(['stripe']);
    expect(clean.checked).toBeGreaterThanOrEqual(1);
    expect(clean.differences).toEqual([]);

    // Money moved at Stripe without us: captured and partly refunded in its dashboard (no webhook delivered).
    const ref = (await paymentRow(g.t, cart.paymentId)).provider_reference as string;
    expect((await stripeApi(`/v1/payment_intents/${ref}/capture`, {})).status).toBe(200);
    expect((await stripeApi('/v1/refunds', { payment_intent: ref, amount: '500' })).status).toBe(200);
    // And an intent created by someone else on the same account, with money on it.
    const stray = await stripeApi('/v1/payment_intents', {
      amount: '999',
      currency: 'eur',
      capture_method: 'manual',
      confirm: 'true',
      payment_method: 'pm_card_visa',
    });
    expect(stray.status).toBe(200);

    const report = await compareWithGateways(payments, { since: since() });
    const mine = report.differences.filter((d) => d.paymentId === cart.paymentId);
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'captured', ours: 0, theirs: cart.total }),
        expect.objectContaining({ field: 'refunded', ours: 0, theirs: 500 }),
      ]),
    );
    expect(report.differences).toContainEqual(
      expect.objectContaining({ field: 'unknown_at_backroom', providerReference: stray.body.id, theirs: 999 }),
    );

    // The worker's run: one payment.mismatch event per difference.
    const before = await mismatchEvents();
    expect(await emitMismatches(payments, report)).toBe(report.differences.length);
    expect((await mismatchEvents()) - before).toBe(report.differences.length);
  });

  it('skips payments with a call in flight and only asks gateways that can be asked', async () => {
    const manualOnly = wireModules(g.t.db.db).payments;
    expect(await compareWithGateways(manualOnly, { since: since() })).toMatchObject({
      providers: [],
      checked: 0,
      differences: [],
    });
    const cart = await preparedCart(g);
    await stripeConfirm(g.stripe, cart.clientData.clientSecret as string);
    await complete(g.t, cart.cartId);
    await g.t.db.db.updateTable('payment').set({ pending_capture: 1 }).where('id', '=', cart.paymentId).execute();
    const report = await compareWithGateways(payments, { since: since() });
    expect(report.skippedInFlight).toBeGreaterThanOrEqual(1);
    expect(report.differences.filter((d) => d.paymentId === cart.paymentId)).toEqual([]);
    await g.t.db.db.updateTable('payment').set({ pending_capture: 0 }).where('id', '=', cart.paymentId).execute();
  });

  it('parses --since durations', () => {
    expect(parseDuration('24h')).toBe(86_400);
    expect(parseDuration('90m')).toBe(5400);
    expect(parseDuration('7d')).toBe(604_800);
    expect(parseDuration('yesterday')).toBeNull();
  });

  async function mismatchEvents(): Promise<number> {
    const row = await g.t.db.db
      .selectFrom('outbox_event')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('type', '=', 'payment.mismatch')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
});
