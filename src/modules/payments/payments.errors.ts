import { AppError, BusinessRuleError, ConflictError, NotFoundError } from '../../platform/errors.js';

/** 402 `PAYMENT_DECLINED`: the gateway refused (card declined, insufficient funds); not retryable as is. */
export class PaymentDeclinedError extends AppError {
  constructor(
    readonly declineCode: string | null,
    detail = 'The payment was declined.',
  ) {
    super(402, 'PAYMENT_DECLINED', 'Payment declined', { detail, extensions: { declineCode } });
  }
}

/**
 * 502 `PAYMENT_PROVIDER_ERROR` (or 503 `PAYMENT_PROVIDER_TIMEOUT`): the gateway failed or did not
 * answer in time. The outcome is unknown, so the operation stays pending and is retried with the
 * same idempotency key (by the caller or the reconciler) — never with a new one.
 */
export class PaymentProviderError extends AppError {
  readonly retryable = true;
  constructor(
    readonly provider: string,
    detail: string,
    opts: { timeout?: boolean; cause?: unknown } = {},
  ) {
    super(
      opts.timeout ? 503 : 502,
      opts.timeout ? 'PAYMENT_PROVIDER_TIMEOUT' : 'PAYMENT_PROVIDER_ERROR',
      'Payment provider unavailable',
      { detail, headers: { 'retry-after': '2' }, extensions: { provider }, cause: opts.cause },
    );
  }
}

/** 409 `PAYMENT_REQUIRES_ACTION`: the customer must finish a step (3-D Secure, a redirect) first. */
export class PaymentRequiresActionError extends ConflictError {
  /** `clientData`: what the storefront needs for the action (e.g. a client secret or approval link), when known. */
  constructor(
    readonly paymentId: string,
    clientData?: Record<string, string>,
  ) {
    super('PAYMENT_REQUIRES_ACTION', `Payment ${paymentId} waits for the customer to complete an action.`, {
      extensions: { paymentId, ...(clientData ? { clientData } : {}) },
    });
  }
}

/**
 * 409 `PAYMENT_PROCESSING`: the gateway accepted the payment but has not decided yet (Stripe `processing`: delayed
 * notification methods; PayPal capture `PENDING`). Nothing is charged or declined; the order waits and the gateway's
 * webhook places (or cancels) it. Asking again is safe.
 */
export class PaymentProcessingError extends ConflictError {
  constructor(readonly paymentId: string) {
    super('PAYMENT_PROCESSING', `Payment ${paymentId} is still being processed by the gateway.`, {
      extensions: { paymentId },
    });
  }
}

/** 422 `UNKNOWN_PAYMENT_PROVIDER`, naming the field that chose it. */
export class UnknownPaymentProviderError extends BusinessRuleError {
  constructor(provider: string, path = '/provider') {
    super('UNKNOWN_PAYMENT_PROVIDER', `No payment provider ${JSON.stringify(provider.slice(0, 40))} is configured.`, {
      errors: [{ path, message: 'is not a configured payment provider' }],
    });
  }
}

/** 409 `PAYMENT_STATE`: the payment is not in a state that allows this (e.g. void after a capture). */
export class PaymentStateError extends ConflictError {
  constructor(paymentId: string, status: string, action: string) {
    super('PAYMENT_STATE', `Payment ${paymentId} is ${status}: cannot ${action}.`, {
      extensions: { paymentId, status },
    });
  }
}

/** 422 `PAYMENT_AMOUNT_EXCEEDED`: more than can be captured (authorized − captured) or refunded (captured − refunded). */
export class PaymentAmountExceededError extends BusinessRuleError {
  constructor(action: 'capture' | 'refund', requested: number, available: number) {
    super('PAYMENT_AMOUNT_EXCEEDED', `Cannot ${action} ${requested}: at most ${available} is available.`, {
      errors: [{ path: '/amount', message: `must be at most ${available}` }],
      extensions: { requested, available },
    });
  }
}

/** 400 `INVALID_WEBHOOK_SIGNATURE`: missing, stale or not the gateway's signature over the raw body; nothing is stored. */
export class InvalidWebhookSignatureError extends AppError {
  constructor(provider: string) {
    super(400, 'INVALID_WEBHOOK_SIGNATURE', 'Invalid webhook signature', {
      detail: `The ${provider} webhook signature is missing, too old or does not match its body.`,
    });
  }
}

/**
 * 400 `WEBHOOK_API_VERSION_MISMATCH`: a signed event rendered in another API version than the adapter reads (the
 * Stripe webhook endpoint is set to another version). Nothing is stored or applied; the gateway retries, so the events
 * arrive once the endpoint's version is fixed.
 */
export class WebhookApiVersionError extends AppError {
  constructor(
    readonly provider: string,
    readonly eventId: string,
    readonly received: string | null,
    readonly expected: string,
  ) {
    super(400, 'WEBHOOK_API_VERSION_MISMATCH', 'Webhook API version mismatch', {
      detail: `The ${provider} event is rendered in API version ${received ?? 'unknown'}; this server reads ${expected}. Set the webhook endpoint's API version to ${expected}.`,
      extensions: { received, expected },
    });
  }
}

export class PaymentNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Payment', id);
  }
}
