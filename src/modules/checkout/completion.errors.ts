import type { FieldError } from '../../platform/errors.js';
import { BusinessRuleError, ConflictError } from '../../platform/errors.js';

/** 422 `CART_INCOMPLETE`: what the cart still lacks before it can become an order, one entry per field. */
export class CartIncompleteError extends BusinessRuleError {
  constructor(errors: FieldError[]) {
    super('CART_INCOMPLETE', `The cart cannot be completed yet: ${errors.map((e) => e.path).join(', ')}.`, {
      errors,
    });
  }
}

/**
 * 409 `PAYMENT_AMOUNT_CHANGED`: the cart's total is no longer what the prepared payment (Stripe PaymentIntent, PayPal
 * order) was made for — the buyer must choose the payment method again and confirm the new amount. Nothing changed.
 */
export class PaymentAmountChangedError extends ConflictError {
  constructor(prepared: number, total: number, currency: string) {
    super(
      'PAYMENT_AMOUNT_CHANGED',
      `The payment was prepared for ${prepared} and the cart now totals ${total} (${currency}, minor units); choose the payment method again (POST /v1/store/carts/{id}/payment).`,
      { extensions: { prepared, total, currency } },
    );
  }
}

/** 422 naming `/body/provider`: the provider is configured but not offered in the cart's region. */
export class ProviderNotInRegionError extends BusinessRuleError {
  constructor(provider: string, path = '/body/provider') {
    super('PAYMENT_PROVIDER_NOT_IN_REGION', `Payment provider ${provider} is not offered in this cart's region.`, {
      errors: [{ path, message: 'is not offered in this region' }],
    });
  }
}
