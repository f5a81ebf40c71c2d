import { startFakePayPal } from './paypal/index.js';
import { startFakeStripe } from './stripe/index.js';

/**
 * `BACKROOM_FAKE_GATEWAYS=1`: local Stripe and PayPal servers in this process, with the gateways pointed at them and
 * their webhooks sent to this server — a developer can try a Stripe or PayPal checkout end to end offline. The
 * credentials are the fakes' fixed test values; nothing here ever talks to the real gateways.
 */
export interface FakeGateways {
  /** Environment values that point Backroom at the fakes (merged over the configuration). */
  env: Record<string, string>;
  stripeUrl: string;
  paypalUrl: string;
  close(): Promise<void>;
}

export async function startFakeGateways(opts: { backroomUrl: string }): Promise<FakeGateways> {
  const base = opts.backroomUrl.replace(/\/$/, '');
  const stripe = await startFakeStripe({ webhookUrl: `${base}/v1/webhooks/stripe` });
  const paypal = await startFakePayPal({ webhookUrl: `${base}/v1/webhooks/paypal` });
  return {
    env: {
      STRIPE_SECRET_KEY: 'sk_test_backroom',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_backroom',
      STRIPE_WEBHOOK_SECRET: 'whsec_backroom',
      STRIPE_API_BASE: stripe.url,
      PAYPAL_CLIENT_ID: 'paypal-client-backroom',
      PAYPAL_CLIENT_SECRET: 'paypal-secret-backroom',
      PAYPAL_WEBHOOK_ID: 'WH-FAKE-BACKROOM',
      PAYPAL_ENVIRONMENT: 'sandbox',
      PAYPAL_API_BASE: paypal.url,
    },
    stripeUrl: stripe.url,
    paypalUrl: paypal.url,
    close: async () => {
      await Promise.all([stripe.close(), paypal.close()]);
    },
  };
}
