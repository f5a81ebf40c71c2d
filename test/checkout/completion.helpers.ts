import type { TestApp } from '../support/app.js';
import { address, newCart, product, type Shop, seedShop, stock, store } from './carts.helpers.js';

const shops = new WeakMap<TestApp, Promise<Shop>>();

/** One shop per test app (regions DE/US, VAT, a location, shipping options), created on first use. */
export function shopOf(t: TestApp): Promise<Shop> {
  let shop = shops.get(t);
  if (!shop) {
    shop = seedShop(t);
    shops.set(t, shop);
  }
  return shop;
}

export interface ReadyCart {
  cartId: string;
  email: string;
  shop: Shop;
  variants: { variantId: string; productId: string; quantity: number }[];
}

let buyers = 0;

/**
 * A cart ready to complete: in region DE, one line per quantity (each a new product with `stock` units at the shop's
 * location, 19.99 EUR), email, shipping address, the flat shipping option and a payment method.
 */
export async function readyCart(
  t: TestApp,
  opts: {
    quantities?: number[];
    token?: string;
    provider?: string;
    data?: Record<string, string>;
    stock?: number;
    variants?: { variantId: string; productId: string }[];
    email?: string;
  } = {},
): Promise<ReadyCart> {
  const shop = await shopOf(t);
  const call = store(t, opts.token);
  const quantities = opts.quantities ?? [2, 1];
  const variants = [];
  for (const [i, quantity] of quantities.entries()) {
    const given = opts.variants?.[i];
    const v = given ?? (await product(t));
    if (!given) await stock(t, v.variantId, shop.locationId, opts.stock ?? 10);
    variants.push({ ...v, quantity });
  }
  const cart = await newCart(t, { regionId: shop.regionId }, opts.token);
  for (const v of variants) {
    const res = await call('POST', `/v1/store/carts/${cart.id}/lines`, {
      variantId: v.variantId,
      quantity: v.quantity,
    });
    if (res.statusCode !== 200) throw new Error(`line: ${res.statusCode} ${res.body}`);
  }
  const email = opts.email ?? `buyer${++buyers}.${Date.now().toString(36)}@example.com`;
  const patched = await call('PATCH', `/v1/store/carts/${cart.id}`, { email, shippingAddress: address });
  if (patched.statusCode !== 200) throw new Error(`patch: ${patched.statusCode} ${patched.body}`);
  const method = await call('POST', `/v1/store/carts/${cart.id}/shipping-method`, { optionId: shop.flatId });
  if (method.statusCode !== 200) throw new Error(`shipping: ${method.statusCode} ${method.body}`);
  const pay = await call('POST', `/v1/store/carts/${cart.id}/payment`, {
    provider: opts.provider ?? 'manual',
    ...(opts.data ? { data: opts.data } : {}),
  });
  if (pay.statusCode !== 200) throw new Error(`payment: ${pay.statusCode} ${pay.body}`);
  return { cartId: cart.id, email, shop, variants };
}

/** `POST /v1/store/carts/{id}/complete`. */
export function complete(t: TestApp, cartId: string, token?: string) {
  return store(t, token)('POST', `/v1/store/carts/${cartId}/complete`);
}
