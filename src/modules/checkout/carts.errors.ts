import { BusinessRuleError, ConflictError, NotFoundError } from '../../platform/errors.js';

/** 404 for an unknown cart, and for a cart of another customer (whose existence is not revealed). */
export class CartNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('Cart', id);
  }
}

/** 409 `CART_NOT_OPEN`: the cart is being completed or was completed; it can no longer change. */
export class CartNotOpenError extends ConflictError {
  constructor(status: string) {
    super('CART_NOT_OPEN', `The cart is ${status}; it can no longer change.`, { extensions: { cartStatus: status } });
  }
}

/** 422 naming the field that breaks a cart rule (variant not sellable, line limits, region rules …). */
export class CartRuleError extends BusinessRuleError {
  constructor(code: string, path: string, message: string) {
    super(code, `${path.split('/').pop()} ${message}.`, { errors: [{ path, message }] });
  }
}

export const variantNotSellable = (path: string) =>
  new CartRuleError('VARIANT_NOT_SELLABLE', path, 'is not an active variant published to this sales channel');
export const variantNotPriced = (path: string, currency: string) =>
  new CartRuleError('VARIANT_NOT_PRICED', path, `has no price in ${currency}`);
