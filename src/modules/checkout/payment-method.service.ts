import { jsonb } from '../../platform/db/json.js';
import { withTransaction } from '../../platform/db/transaction.js';
import type { Principal } from '../identity/index.js';
import { lockOpenCart, touch } from './carts.repository.js';
import { getCart } from './carts.service.js';
import type { CartView } from './carts.view.js';
import type { CheckoutDeps } from './completion.deps.js';

export interface PaymentMethodInput {
  provider: string;
  /** Passed to the gateway with the attempt (never card data or secrets): e.g. a return URL, the test outcome. */
  data?: Record<string, string> | undefined;
}

/**
 * `POST /v1/store/carts/{id}/payment`: the buyer picks how to pay. The cart remembers the provider (a configured
 * gateway: 422 naming `/body/provider` otherwise) and its data; completion starts the attempt with them. Choosing
 * again replaces the choice. Gateways that need a client-side step (Stripe's card fields) will create their session
 * here and return it in `clientData`; manual payment needs none.
 */
export async function choosePaymentMethod(
  deps: CheckoutDeps,
  principal: Principal,
  cartId: string,
  input: PaymentMethodInput,
): Promise<{ cart: CartView; payment: { provider: string; clientData: Record<string, string> } }> {
  deps.payments.providers.get(input.provider, '/body/provider');
  await withTransaction(deps.db, async (tx) => {
    await lockOpenCart(tx, cartId, principal);
    await touch(tx, cartId, { payment_provider: input.provider, payment_data: jsonb(input.data ?? {}) });
  });
  return { cart: await getCart(deps, principal, cartId), payment: { provider: input.provider, clientData: {} } };
}
