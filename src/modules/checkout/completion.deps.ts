import type { OrderMail } from '../orders/index.js';
import type { PaymentsDeps } from '../payments/index.js';
import type { CartDeps } from './carts.deps.js';

/** What completing a cart needs besides the cart's own deps: the payment gateways and the order emails. */
export interface CheckoutDeps extends CartDeps {
  payments: PaymentsDeps;
  mail: OrderMail;
}
