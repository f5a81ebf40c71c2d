import type { FieldError } from '../../platform/errors.js';
import { BusinessRuleError } from '../../platform/errors.js';

/** 422 `CART_INCOMPLETE`: what the cart still lacks before it can become an order, one entry per field. */
export class CartIncompleteError extends BusinessRuleError {
  constructor(errors: FieldError[]) {
    super('CART_INCOMPLETE', `The cart cannot be completed yet: ${errors.map((e) => e.path).join(', ')}.`, {
      errors,
    });
  }
}
