import Stripe from 'stripe';
import { PaymentProviderError } from '../payments.errors.js';
import type { InitiateResult, OperationResult } from '../provider.js';

/**
 * How a PaymentIntent's status, and Stripe's errors, read in Backroom's terms. Kept apart from the adapter so the
 * mapping can be read (and reviewed) as one table.
 */

/** The id of an expandable field (`latest_charge` is an id or, when expanded, the object). */
export function idOf(value: string | { id: string } | null | undefined): string | undefined {
  if (!value) return undefined;
  return typeof value === 'string' ? value : value.id;
}

/**
 * The decline code of a Stripe error, never empty: the issuer's `decline_code` when Stripe has one, otherwise the
 * error's `code` (`expired_card`, `incorrect_cvc`, `payment_intent_authentication_failure` …). Many card errors carry
 * no `decline_code` (and Stripe may send it empty); `fallback` when neither says anything.
 */
export function declineCodeOf(
  error: { decline_code?: string | null | undefined; code?: string | null | undefined },
  fallback: string,
): string {
  return error.decline_code || error.code || fallback;
}

/** PaymentIntent → InitiateResult, for initiate and for authorize (which only reads what the browser did). */
export function mapIntent(pi: Stripe.PaymentIntent, publishableKey: string | undefined): InitiateResult {
  const providerReference = pi.id;
  const clientData = (nextAction: string): Record<string, string> => ({
    ...(pi.client_secret ? { clientSecret: pi.client_secret } : {}),
    nextAction,
    ...(publishableKey ? { publishableKey } : {}),
  });
  switch (pi.status) {
    case 'requires_payment_method': {
      // With an error, the buyer's last attempt failed (declined card, failed 3-D Secure); without one, the buyer
      // has not paid yet and the storefront confirms with Stripe.js.
      const error = pi.last_payment_error;
      if (error) return { status: 'declined', providerReference, declineCode: declineCodeOf(error, 'payment_failed') };
      return { status: 'requires_action', providerReference, clientData: clientData('confirm_payment') };
    }
    case 'requires_confirmation':
      return { status: 'requires_action', providerReference, clientData: clientData('confirm_payment') };
    case 'requires_action':
      return { status: 'requires_action', providerReference, clientData: clientData('three_d_secure') };
    case 'processing':
      // Not decided yet (delayed-notification methods): no money, no decline. The order waits for the webhook
      // (`payment_intent.succeeded` / `payment_failed`); complete answers 409 PAYMENT_PROCESSING meanwhile.
      return { status: 'pending', providerReference };
    case 'requires_capture':
      return { status: 'authorized', providerReference };
    case 'succeeded':
      return { status: 'captured', providerReference };
    case 'canceled':
      return { status: 'declined', providerReference, declineCode: 'canceled' };
    default:
      // A status this code does not know (a newer API version): wait for a webhook or the reconciler.
      return { status: 'pending', providerReference };
  }
}

/**
 * A definitive refusal by Stripe (the request was understood and nothing happened, so retrying the same request is
 * pointless): a card error or any invalid request (wrong state, amount too large, unknown id). Null for the
 * outcome-unknown failures — network, timeouts, 5xx, rate limits, authentication, idempotency conflicts — which the
 * caller must retry with the same key.
 */
export function refusal(error: unknown): { code: string; intent?: Stripe.PaymentIntent | undefined } | null {
  if (error instanceof Stripe.errors.StripeCardError) {
    return { code: declineCodeOf(error, 'card_declined'), intent: error.payment_intent };
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    return { code: error.code || codeFromParam(error.param), intent: error.payment_intent };
  }
  return null;
}

/** Stripe answers some amount errors (e.g. refunding more than is left) with a `param` and no `code`. */
function codeFromParam(param: string | undefined): string {
  return param === 'amount' || param === 'amount_to_capture' ? 'amount_too_large' : 'invalid_request';
}

/**
 * Wraps an outcome-unknown failure. Messages name the failure class only: Stripe's authentication errors quote
 * (a masked form of) the key, and nothing about secrets belongs in our logs or problem documents.
 */
export function unavailable(providerId: string, action: string, error: unknown): PaymentProviderError {
  if (error instanceof Stripe.errors.StripeAuthenticationError) {
    return new PaymentProviderError(providerId, `Stripe rejected the API key on ${action}.`);
  }
  if (error instanceof Stripe.errors.StripeConnectionError) {
    const timeout = /timeout/i.test(error.message);
    return new PaymentProviderError(
      providerId,
      timeout ? `Stripe did not answer ${action} in time.` : `Could not reach Stripe for ${action}.`,
      { timeout, cause: error },
    );
  }
  if (error instanceof Stripe.errors.StripeError) {
    const status = error.statusCode ? ` (HTTP ${error.statusCode})` : '';
    return new PaymentProviderError(providerId, `Stripe failed on ${action}: ${error.type}${status}.`, {
      cause: error,
    });
  }
  return new PaymentProviderError(providerId, `Stripe call ${action} failed.`, { cause: error });
}

/** The common shape of capture/refund/cancel: a result, a definitive refusal, or a thrown outcome-unknown error. */
export async function operation(
  providerId: string,
  action: string,
  call: () => Promise<OperationResult>,
): Promise<OperationResult> {
  try {
    return await call();
  } catch (error) {
    const refused = refusal(error);
    if (refused) return { status: 'declined', declineCode: refused.code };
    throw unavailable(providerId, action, error);
  }
}
