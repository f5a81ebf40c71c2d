import Stripe from 'stripe';
import { InvalidWebhookSignatureError, WebhookApiVersionError } from '../payments.errors.js';
import type {
  InitiateResult,
  OperationResult,
  PaymentProvider,
  ProviderEvent,
  ProviderPaymentView,
} from '../provider.js';
import { normaliseEvent } from './stripe.events.js';
import { idOf, mapIntent, operation, refusal, unavailable } from './stripe.status.js';

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** Handed to the storefront with the client secret, so it can confirm with Stripe.js. */
  publishableKey?: string;
  /** Another API host (the local fake Stripe in tests and demos); default api.stripe.com. */
  api?: { host: string; port: number; protocol: 'http' | 'https' };
  /** How old a signed webhook may be (default 300 s, Stripe's own default). */
  webhookToleranceSeconds?: number;
  /** Per-request deadline (default 30 s); past it the outcome is unknown and the caller retries with the same key. */
  timeoutMs?: number;
}

/**
 * The Stripe API version this adapter reads: the one the pinned `stripe` SDK was generated for. Requests send it,
 * and Stripe renders webhook payloads in the *endpoint's* version (set when the endpoint is created in the
 * dashboard), so the endpoint must use this one too; events of any other version are refused (README "Stripe").
 */
export const STRIPE_API_VERSION: string = Stripe.API_VERSION;

/**
 * Stripe through PaymentIntents, with the official SDK. The storefront confirms (and does 3-D Secure) in the browser
 * with Stripe.js and the client secret; the server creates, reads, captures, refunds and cancels. The SDK's own
 * retries are off: a retry is the caller's, with the same idempotency key, so Stripe acts at most once.
 */
export function stripeProvider(settings: StripeSettings, id = 'stripe'): PaymentProvider {
  const stripe = new Stripe(settings.secretKey, {
    apiVersion: Stripe.API_VERSION,
    maxNetworkRetries: 0,
    timeout: settings.timeoutMs ?? 30_000,
    telemetry: false,
    ...(settings.api ? { host: settings.api.host, port: settings.api.port, protocol: settings.api.protocol } : {}),
  });
  const tolerance = settings.webhookToleranceSeconds ?? 300;
  const map = (pi: Stripe.PaymentIntent) => mapIntent(pi, settings.publishableKey);

  /** initiate/authorize: a card refusal is an answer (declined), not a failure. */
  async function intentCall(
    action: string,
    call: () => Promise<Stripe.PaymentIntent>,
    ref = '',
  ): Promise<InitiateResult> {
    try {
      return map(await call());
    } catch (error) {
      const refused = refusal(error);
      if (refused)
        return { status: 'declined', providerReference: refused.intent?.id ?? ref, declineCode: refused.code };
      throw unavailable(id, action, error);
    }
  }

  function view(pi: Stripe.PaymentIntent, refunded: number): ProviderPaymentView {
    const held = pi.status === 'requires_capture' || pi.status === 'processing';
    return {
      providerReference: pi.id,
      paymentId: pi.metadata?.backroom_payment_id || undefined,
      status: pi.status,
      currency: pi.currency.toUpperCase(),
      authorized: pi.status === 'succeeded' ? pi.amount_received + pi.amount_capturable : held ? pi.amount : 0,
      captured: pi.amount_received,
      refunded,
    };
  }

  return {
    id,
    // The buyer confirms the PaymentIntent with Stripe.js before completing: POST /payment creates it.
    prepares: true,
    initiate: (input) =>
      intentCall('initiate', () =>
        stripe.paymentIntents.create(
          {
            amount: input.amount.amount,
            currency: input.amount.currency.toLowerCase(),
            capture_method: input.captureMethod ?? 'manual',
            metadata: { ...input.metadata, backroom_payment_id: input.attemptId },
            ...(input.customer?.email ? { receipt_email: input.customer.email } : {}),
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      ),

    // The buyer confirmed (and authenticated) in the browser; the server only reads the outcome.
    authorize: (input) =>
      intentCall('authorize', () => stripe.paymentIntents.retrieve(input.providerReference), input.providerReference),

    capture: (input) =>
      operation(id, 'capture', async (): Promise<OperationResult> => {
        const pi = await stripe.paymentIntents.capture(
          input.providerReference,
          { amount_to_capture: input.amount.amount },
          { idempotencyKey: input.idempotencyKey },
        );
        return { status: 'succeeded', providerReference: idOf(pi.latest_charge) };
      }),

    refund: (input) =>
      operation(id, 'refund', async (): Promise<OperationResult> => {
        const refund = await stripe.refunds.create(
          {
            payment_intent: input.providerReference,
            amount: input.amount.amount,
            // Echoed in refund objects, so a refund can be traced to our call even when its response was lost.
            metadata: {
              ...(input.paymentId ? { backroom_payment_id: input.paymentId } : {}),
              backroom_key: input.idempotencyKey,
            },
          },
          { idempotencyKey: input.idempotencyKey },
        );
        if (refund.status === 'failed' || refund.status === 'canceled') {
          return {
            status: 'declined',
            providerReference: refund.id,
            declineCode: refund.failure_reason ?? 'refund_failed',
          };
        }
        return { status: 'succeeded', providerReference: refund.id };
      }),

    cancel: async (input) => {
      try {
        await stripe.paymentIntents.cancel(input.providerReference, {}, { idempotencyKey: input.idempotencyKey });
        return { status: 'succeeded' };
      } catch (error) {
        const refused = refusal(error);
        // Cancelling twice (e.g. a retry with a new key after a lost answer) is the same end state.
        if (refused?.intent?.status === 'canceled') return { status: 'succeeded' };
        if (refused) return { status: 'declined', declineCode: refused.code };
        throw unavailable(id, 'cancel', error);
      }
    },

    async verifyWebhook(rawBody, headers): Promise<ProviderEvent> {
      const header = headers['stripe-signature'];
      const signature = Array.isArray(header) ? header[0] : header;
      if (!signature) throw new InvalidWebhookSignatureError(id);
      // stripe-node checks only how old the timestamp is; one from the future is refused too (as for PayPal).
      const t = Number(/(?:^|,)t=(\d+)/.exec(signature)?.[1] ?? Number.NaN);
      if (!Number.isFinite(t) || t > Date.now() / 1000 + tolerance) throw new InvalidWebhookSignatureError(id);
      let event: Stripe.Event;
      try {
        event = await stripe.webhooks.constructEventAsync(rawBody, signature, settings.webhookSecret, tolerance);
      } catch {
        // Bad signature, stale timestamp or a body that is not JSON: all "not from Stripe" as far as we can tell.
        throw new InvalidWebhookSignatureError(id);
      }
      // Fields move between API versions; reading another version's payload as ours could misread money.
      if (event.api_version !== STRIPE_API_VERSION) {
        throw new WebhookApiVersionError(id, event.id, event.api_version ?? null, STRIPE_API_VERSION);
      }
      return normaliseEvent(event);
    },

    async lookup(providerReference) {
      try {
        const pi = await stripe.paymentIntents.retrieve(providerReference);
        let refunded = 0;
        for await (const refund of stripe.refunds.list({ payment_intent: pi.id, limit: 100 })) {
          // Pending refunds count as Backroom counts them (taken back if they later fail or are cancelled).
          if (refund.status === 'succeeded' || refund.status === 'pending' || refund.status === 'requires_action') {
            refunded += refund.amount;
          }
        }
        return view(pi, refunded);
      } catch (error) {
        throw unavailable(id, 'lookup', error);
      }
    },

    async recentPayments(since) {
      try {
        const views: ProviderPaymentView[] = [];
        const created = { gte: Math.floor(since.getTime() / 1000) };
        // The expanded charge carries the running refund total, which saves a refunds call per payment.
        for await (const pi of stripe.paymentIntents.list({ created, limit: 100, expand: ['data.latest_charge'] })) {
          const charge = pi.latest_charge;
          views.push(view(pi, typeof charge === 'object' && charge ? charge.amount_refunded : 0));
        }
        return views;
      } catch (error) {
        throw unavailable(id, 'recentPayments', error);
      }
    },
  };
}
