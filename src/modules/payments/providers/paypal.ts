import {
  CheckoutPaymentIntent,
  Client,
  Environment,
  type OAuthToken,
  type Order,
  OrdersController,
  PaymentsController,
  PaypalExperienceUserAction,
} from '@paypal/paypal-server-sdk';
import type { Money } from '../../../platform/money.js';
import { PaymentProviderError } from '../payments.errors.js';
import {
  type InitiateResult,
  idempotencyKeys,
  type OperationResult,
  type PaymentProvider,
  type ProviderPaymentView,
} from '../provider.js';
import { callPayPal, isRefusal, isTokenRejected, type PayPalRefusal, rebasingAdapter } from './paypal.http.js';
import { fromPayPalValue, paypalValue } from './paypal.money.js';
import { planRefund } from './paypal.refunds.js';
import { createWebhookVerifier } from './paypal.webhooks.js';

/**
 * PayPal Checkout (Orders v2 + Payments v2) through the official SDK. The payment's reference is the PayPal order
 * id; captures and refunds are separate PayPal objects found through the order. Every POST carries our idempotency
 * key as `PayPal-Request-Id` (PayPal replays the first answer for it), and captures/refunds also carry it as
 * `invoice_id`, so a retry can see in the order that the call already happened, and webhooks name the call.
 */

export interface PayPalSettings {
  clientId: string;
  clientSecret: string;
  /** The id of the webhook registered at PayPal: part of every signed webhook message. */
  webhookId: string;
  environment: 'sandbox' | 'live';
  /** The local fake's URL: all SDK traffic goes there instead of PayPal (tests, offline demos). */
  apiBase?: string;
  /** Extra hosts allowed to serve webhook certificates (https only), besides PayPal's own. */
  certHosts?: string[];
  /** Oldest webhook transmission accepted, in seconds (default 300). */
  webhookToleranceSeconds?: number;
  /** Per-request timeout of SDK calls (default 30 s). */
  timeoutMs?: number;
}

/** Capture statuses in which the money was taken (a refund later does not undo that it was captured). */
const TAKEN = new Set(['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
const LIVE_AUTH = new Set(['CREATED', 'PARTIALLY_CAPTURED', 'CAPTURED', 'PENDING']);

const minor = (m: { currencyCode: string; value: string } | undefined, currency: string): number =>
  m ? fromPayPalValue(m.value, m.currencyCode || currency).amount : 0;

/** Our refusal of an amount PayPal cannot take (a HUF/TWD amount with a minor part), named as PayPal names it. */
export const DECIMALS_NOT_SUPPORTED = 'DECIMALS_NOT_SUPPORTED';

/** PayPal's money, or null when the amount cannot be sent in this currency (see paypal.money.ts). */
function paypalMoney(m: Money): { currencyCode: string; value: string } | null {
  const value = paypalValue(m);
  return value === null ? null : { currencyCode: m.currency, value };
}

function approvalData(order: Order): Record<string, string> {
  const link = order.links?.find((l) => l.rel === 'payer-action') ?? order.links?.find((l) => l.rel === 'approve');
  return { orderId: order.id ?? '', ...(link ? { approvalUrl: link.href } : {}) };
}

export function paypalProvider(settings: PayPalSettings, id = 'paypal'): PaymentProvider {
  // The SDK keeps its token in one shared promise; a failed token request would stay rejected and fail every later
  // call of this client. So a failure resolves to "no token" (the SDK then refuses this one call and asks again on
  // the next) and is remembered to be reported instead of the SDK's generic "not authorized".
  let tokenFailure: unknown;
  // The token the SDK holds (it caches one per client and only asks for a new one when its own expiry passes).
  // PayPal may reject a token before that (revoked, rotated credentials, its own early expiry): a 401
  // `invalid_token` then marks this object expired, so the SDK fetches a new token for the retry.
  let currentToken: OAuthToken | undefined;
  const client = new Client({
    clientCredentialsAuthCredentials: {
      oAuthClientId: settings.clientId,
      oAuthClientSecret: settings.clientSecret,
      oAuthOnTokenUpdate: (token) => {
        currentToken = token;
      },
      oAuthTokenProvider: async (last, manager) => {
        try {
          return await manager.updateToken(last);
        } catch (e) {
          tokenFailure = e;
          return undefined as unknown as OAuthToken;
        }
      },
    },
    environment: settings.environment === 'live' ? Environment.Production : Environment.Sandbox,
    timeout: settings.timeoutMs ?? 30_000,
    ...(settings.apiBase ? { unstable_httpClientOptions: { adapter: rebasingAdapter(settings.apiBase) } } : {}),
  });
  const orders = new OrdersController(client);
  const payments = new PaymentsController(client);
  const verifyWebhook = createWebhookVerifier(settings, id);

  const declined = (r: PayPalRefusal, providerReference?: string) => ({
    status: 'declined' as const,
    declineCode: r.issue,
    ...(providerReference !== undefined ? { providerReference } : {}),
  });
  /**
   * One SDK call through {@link callPayPal}, reporting a failed token request as the failure it was. A token PayPal
   * rejects (401 `invalid_token`) is dropped and the call made once more with a new one: PayPal did nothing with
   * the rejected request, and a POST repeats with the same PayPal-Request-Id anyway.
   */
  const call = <T>(what: string, fn: () => Promise<{ result: T }>) =>
    callPayPal(id, what, async () => {
      try {
        return await fn().catch((e: unknown) => {
          if (!isTokenRejected(e) || !currentToken) throw e;
          currentToken.expiry = 0n;
          return fn();
        });
      } catch (e) {
        if (tokenFailure !== undefined && e instanceof Error && /not authorized/i.test(e.message)) {
          const failure = tokenFailure;
          tokenFailure = undefined;
          throw failure;
        }
        throw e;
      }
    });
  const getOrder = (orderId: string) => call('get order', () => orders.getOrder({ id: orderId }));

  /**
   * The payment state of an order PayPal has completed, as our initiate result, judged by the order's intent: an
   * AUTHORIZE order stays `authorized` even after captures (those are our capture calls, recorded on their own).
   */
  function fromCompleted(order: Order): InitiateResult {
    const reference = order.id ?? '';
    const p = order.purchaseUnits?.[0]?.payments;
    if (order.intent === CheckoutPaymentIntent.Capture) {
      const captures = p?.captures ?? [];
      const taken = captures.find((c) => TAKEN.has(c.status ?? ''));
      if (taken) return { status: 'captured', providerReference: reference, captureReference: taken.id };
      if (captures.some((c) => c.status === 'PENDING')) return { status: 'pending', providerReference: reference };
      return { status: 'declined', providerReference: reference, declineCode: captures[0]?.status ?? 'NO_CAPTURE' };
    }
    const auths = p?.authorizations ?? [];
    if (auths.some((a) => LIVE_AUTH.has(a.status ?? ''))) return { status: 'authorized', providerReference: reference };
    return { status: 'declined', providerReference: reference, declineCode: auths[0]?.status ?? 'NO_AUTHORIZATION' };
  }

  /**
   * What a capture's status means for our capture call. PENDING (an eCheck, a review at PayPal) has not taken the
   * money yet: the call has no final answer, so it stays pending here (503, retryable) until PayPal sends
   * PAYMENT.CAPTURE.COMPLETED or .DECLINED — which name the call by its invoice_id — or a retry finds it settled.
   */
  function captureOutcome(c: { id?: string | undefined; status?: string | undefined }): OperationResult {
    if (TAKEN.has(c.status ?? '')) return { status: 'succeeded', providerReference: c.id };
    if (c.status === 'DECLINED' || c.status === 'FAILED') {
      return { status: 'declined', declineCode: c.status, providerReference: c.id };
    }
    throw new PaymentProviderError(
      id,
      `PayPal capture ${c.id ?? ''} is ${c.status ?? 'in an unknown state'}: not captured until PayPal completes it.`,
      { timeout: true },
    );
  }

  /** The order's live authorization (the one capture and void act on). */
  const authorizationOf = (order: Order) =>
    order.purchaseUnits?.[0]?.payments?.authorizations?.find((a) => a.status !== 'VOIDED') ??
    order.purchaseUnits?.[0]?.payments?.authorizations?.[0];

  return {
    id,
    // The buyer approves the order on PayPal's page before completing: POST /payment creates it.
    prepares: true,
    reportsApproval: true,
    async initiate(input) {
      const automatic = input.captureMethod === 'automatic';
      const amount = paypalMoney(input.amount);
      // Refused here rather than sent: PayPal would refuse it too, and no order is left behind at PayPal.
      if (!amount) return { status: 'declined', providerReference: '', declineCode: DECIMALS_NOT_SUPPORTED };
      const result = await call('create order', () =>
        orders.createOrder({
          paypalRequestId: input.idempotencyKey,
          prefer: 'return=representation',
          body: {
            intent: automatic ? CheckoutPaymentIntent.Capture : CheckoutPaymentIntent.Authorize,
            // A CAPTURE order's capture carries the purchase unit's invoice_id: our key of the capture recorded at
            // checkout, so its PAYMENT.CAPTURE.COMPLETED is recognised as that capture, not a second one.
            purchaseUnits: [
              {
                amount,
                customId: input.attemptId,
                ...(automatic ? { invoiceId: idempotencyKeys.capture(input.attemptId, 0) } : {}),
              },
            ],
            paymentSource: {
              paypal: {
                experienceContext: {
                  userAction: PaypalExperienceUserAction.PayNow,
                  ...(input.returnUrl ? { returnUrl: input.returnUrl, cancelUrl: input.returnUrl } : {}),
                },
              },
            },
          },
        }),
      );
      if (isRefusal(result)) return { ...declined(result), providerReference: '' };
      return { status: 'requires_action', providerReference: result.id ?? '', clientData: approvalData(result) };
    },

    async authorize(input) {
      const reference = input.providerReference;
      const order = await getOrder(reference);
      if (isRefusal(order)) return { ...declined(order), providerReference: reference };
      switch (order.status) {
        case 'CREATED':
        case 'SAVED':
        case 'PAYER_ACTION_REQUIRED':
          return { status: 'requires_action', providerReference: reference, clientData: approvalData(order) };
        case 'VOIDED':
          return { status: 'declined', providerReference: reference, declineCode: 'voided' };
        case 'COMPLETED':
          return fromCompleted(order);
        case 'APPROVED':
          break;
        default:
          // A status PayPal may add later: nothing final can be said yet.
          return { status: 'pending', providerReference: reference };
      }
      // APPROVED: the buyer is done at PayPal; complete the order by its own intent.
      const action = { id: reference, paypalRequestId: input.idempotencyKey, prefer: 'return=representation' };
      const completed =
        order.intent === CheckoutPaymentIntent.Capture
          ? await call('capture order', () => orders.captureOrder(action))
          : await call('authorize order', () => orders.authorizeOrder(action));
      if (!isRefusal(completed)) return fromCompleted(completed as Order);
      if (completed.issue === 'ORDER_ALREADY_AUTHORIZED' || completed.issue === 'ORDER_ALREADY_CAPTURED') {
        // Completed by a concurrent call: its result is in the order.
        const again = await getOrder(reference);
        return isRefusal(again) ? { ...declined(again), providerReference: reference } : fromCompleted(again);
      }
      return { ...declined(completed), providerReference: reference };
    },

    async capture(input): Promise<OperationResult> {
      const amount = paypalMoney(input.amount);
      if (!amount) return { status: 'declined', declineCode: DECIMALS_NOT_SUPPORTED };
      const order = await getOrder(input.providerReference);
      if (isRefusal(order)) return declined(order);
      // A capture made by an earlier attempt of this call (its answer was lost) carries our key as invoice_id.
      const done = order.purchaseUnits?.[0]?.payments?.captures?.find((c) => c.invoiceId === input.idempotencyKey);
      if (done?.id) return captureOutcome(done);
      const auth = authorizationOf(order);
      if (!auth?.id) return { status: 'declined', declineCode: 'NOT_AUTHORIZED' };
      const authorizationId = auth.id;
      const capture = await call('capture', () =>
        payments.captureAuthorizedPayment({
          authorizationId,
          paypalRequestId: input.idempotencyKey,
          prefer: 'return=representation',
          // Never final: further partial captures stay possible; PayPal releases the rest when the hold expires.
          body: { amount, finalCapture: false, invoiceId: input.idempotencyKey },
        }),
      );
      if (isRefusal(capture)) return declined(capture);
      return captureOutcome(capture);
    },

    async refund(input): Promise<OperationResult> {
      const order = await getOrder(input.providerReference);
      if (isRefusal(order)) return declined(order);
      const plan = planRefund(order, input.amount, input.idempotencyKey);
      if ('declineCode' in plan) return { status: 'declined', declineCode: plan.declineCode };
      const ids: string[] = [];
      for (const part of plan.parts) {
        if (part.doneId) {
          ids.push(part.doneId);
          continue;
        }
        const partAmount = paypalMoney(part.amount);
        if (!partAmount) return { status: 'declined', declineCode: DECIMALS_NOT_SUPPORTED };
        const refund = await call('refund', () =>
          payments.refundCapturedPayment({
            captureId: part.captureId,
            paypalRequestId: part.key,
            prefer: 'return=representation',
            body: { amount: partAmount, invoiceId: part.key, customId: input.paymentId },
          }),
        );
        // A refusal after earlier parts went through leaves those refunded; their webhooks name them (invoice_id).
        // A PENDING refund counts as made: if PayPal later fails it, PAYMENT.REFUND.FAILED takes it back out.
        if (isRefusal(refund)) return declined(refund);
        if (refund.status === 'FAILED' || refund.status === 'CANCELLED') {
          return { status: 'declined', declineCode: refund.status, providerReference: refund.id };
        }
        ids.push(refund.id ?? '');
      }
      return { status: 'succeeded', providerReference: ids.join(',') };
    },

    async cancel(input): Promise<OperationResult> {
      const order = await getOrder(input.providerReference);
      // An order PayPal no longer knows (unapproved orders expire) holds no money.
      if (isRefusal(order)) return order.status === 404 ? { status: 'succeeded' } : declined(order);
      const auth = authorizationOf(order);
      if (!auth?.id) {
        // Not authorized yet: PayPal moves nothing until we authorize or capture the order, which we then never do.
        const captured = order.purchaseUnits?.[0]?.payments?.captures?.length;
        return captured ? { status: 'declined', declineCode: 'PREVIOUSLY_CAPTURED' } : { status: 'succeeded' };
      }
      if (auth.status === 'VOIDED') return { status: 'succeeded', providerReference: auth.id };
      const authorizationId = auth.id;
      const voided = await call('void', () =>
        payments.voidPayment({
          authorizationId,
          paypalRequestId: input.idempotencyKey,
          prefer: 'return=representation',
        }),
      );
      if (isRefusal(voided)) {
        // Voided already (by an earlier attempt of this call whose answer was lost, or in PayPal's dashboard).
        return voided.issue === 'PREVIOUSLY_VOIDED'
          ? { status: 'succeeded', providerReference: auth.id }
          : declined(voided);
      }
      return { status: 'succeeded', providerReference: auth.id };
    },

    verifyWebhook,

    async lookup(providerReference): Promise<ProviderPaymentView> {
      const order = await getOrder(providerReference);
      if (isRefusal(order)) {
        throw new PaymentProviderError(id, `PayPal order lookup refused: HTTP ${order.status} ${order.issue}`);
      }
      const unit = order.purchaseUnits?.[0];
      const currency = unit?.amount?.currencyCode ?? '';
      const p = unit?.payments;
      const sum = (list: { amount?: { currencyCode: string; value: string } }[]) =>
        list.reduce((acc, x) => acc + minor(x.amount, currency), 0);
      const captured = sum((p?.captures ?? []).filter((c) => TAKEN.has(c.status ?? '')));
      const authorized =
        order.intent === CheckoutPaymentIntent.Capture
          ? captured
          : sum((p?.authorizations ?? []).filter((a) => a.status !== 'VOIDED'));
      return {
        providerReference,
        paymentId: unit?.customId,
        status: order.status ?? 'UNKNOWN',
        ...(order.status === 'APPROVED' ? { approved: true } : {}),
        currency,
        authorized,
        captured,
        refunded: sum((p?.refunds ?? []).filter((r) => r.status === 'COMPLETED')),
      };
    },
  };
}
