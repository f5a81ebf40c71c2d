import type { FakeResponse } from '../http.js';
import { stripeError } from './state.js';

/**
 * Answers real Stripe gives that a local happy path never produces, queued by a test (`fake.stripeFaults.push(…)`):
 * the next matching API request gets the answer and nothing happens (Stripe acted on nothing; the caller retries
 * with the same idempotency key). Bodies as Stripe sends them, so the official SDK maps them to its own errors.
 */
export interface StripeFault {
  /** Only requests whose `METHOD path` matches (default: any `/v1/` request). */
  match?: RegExp | undefined;
  kind: 'idempotency_key_in_use' | 'rate_limit' | 'lock_timeout';
}

export function faultResponse(fault: StripeFault, idempotencyKey: string | undefined): FakeResponse {
  const retry = { headers: { 'stripe-should-retry': 'true' } };
  switch (fault.kind) {
    case 'idempotency_key_in_use':
      // Another request with this key is still running at Stripe (a concurrent twin): 409.
      return {
        ...stripeError(
          409,
          'invalid_request_error',
          `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${idempotencyKey ?? ''}. Please try again later.`,
          { code: 'idempotency_key_in_use', doc_url: 'https://stripe.com/docs/error-codes/idempotency-key-in-use' },
        ),
        ...retry,
      };
    case 'rate_limit':
      return {
        ...stripeError(429, 'invalid_request_error', 'Request rate limit exceeded. Please retry after a short wait.', {
          code: 'rate_limit',
          doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
        }),
        ...retry,
      };
    case 'lock_timeout':
      return {
        ...stripeError(
          429,
          'invalid_request_error',
          'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request.',
          { code: 'lock_timeout', doc_url: 'https://stripe.com/docs/error-codes/lock-timeout' },
        ),
        ...retry,
      };
  }
}

/** Takes the first queued fault matching the request, if any. */
export function takeFault(faults: StripeFault[], method: string, path: string): StripeFault | undefined {
  const i = faults.findIndex((f) => (f.match ? f.match.test(`${method} ${path}`) : path.startsWith('/v1/')));
  return i >= 0 ? faults.splice(i, 1)[0] : undefined;
}
