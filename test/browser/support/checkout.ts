import { createBackroomClient } from '@backroom/client';
import type { BrowserServer } from './server.js';

export interface GuestCheckoutOptions {
  email?: string;
  /** Product handle in the demo shop. */
  product?: string;
  /** Which of the product's variants (index). */
  variant?: number;
  quantity?: number;
  countryCode?: string;
  currency?: string;
  promoCode?: string;
  /** A publishable key (`pk_…`) for a sales channel; without one the storefront uses the default channel. */
  publishableKey?: string;
  /** The name on the shipping address (default Ada Lovelace). */
  firstName?: string;
  lastName?: string;
}

/** A buyer's shipping address (Berlin: the demo region's country). */
export const address = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
  countryCode: 'DE',
};

/**
 * A guest checkout through the storefront API, the way a storefront does it (README "A full checkout"): product,
 * cart, line, email and address, the first shipping option, the manual payment method, complete. The order is placed
 * with its payment authorized and waiting for capture. Returns the order as `complete` answers it.
 */
export async function guestCheckout(server: BrowserServer, opts: GuestCheckoutOptions = {}) {
  const shop = createBackroomClient({
    baseUrl: server.baseUrl,
    retries: 0,
    ...(opts.publishableKey ? { publishableKey: opts.publishableKey } : {}),
  });
  const countryCode = opts.countryCode ?? 'DE';
  const named = {
    ...address,
    ...(opts.firstName ? { firstName: opts.firstName } : {}),
    ...(opts.lastName ? { lastName: opts.lastName } : {}),
  };
  const currency = opts.currency ?? (countryCode === 'US' ? 'USD' : 'EUR');
  const { data: product } = await shop.GET('/v1/store/products/{idOrHandle}', {
    params: { path: { idOrHandle: opts.product ?? 'organic-cotton-t-shirt' }, query: { currency } },
  });
  const variant = product.variants[opts.variant ?? 0];
  if (!variant) throw new Error(`product ${product.handle} has no variant ${opts.variant ?? 0}`);
  const { data: cart } = await shop.POST('/v1/store/carts', { body: { countryCode } });
  const path = { id: cart.id };
  await shop.POST('/v1/store/carts/{id}/lines', {
    params: { path },
    body: { variantId: variant.id, quantity: opts.quantity ?? 1 },
  });
  await shop.PATCH('/v1/store/carts/{id}', {
    params: { path },
    body: {
      email: opts.email ?? `guest-${Date.now()}@example.com`,
      shippingAddress: countryCode === 'DE' ? named : { ...named, countryCode, postalCode: '10001' },
    },
  });
  const { data: options } = await shop.GET('/v1/store/carts/{id}/shipping-options', { params: { path } });
  const option = options.data[0];
  if (!option) throw new Error(`no shipping option for ${countryCode}`);
  await shop.POST('/v1/store/carts/{id}/shipping-method', { params: { path }, body: { optionId: option.id } });
  if (opts.promoCode) {
    await shop.POST('/v1/store/carts/{id}/promo-codes', { params: { path }, body: { code: opts.promoCode } });
  }
  await shop.POST('/v1/store/carts/{id}/payment', { params: { path }, body: { provider: 'manual' } });
  const { data: placed } = await shop.POST('/v1/store/carts/{id}/complete', { params: { path } });
  return placed.order;
}
