import { jsonb } from '../../platform/db/json.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import type { Principal } from '../identity/index.js';
import type { CartDeps } from './carts.deps.js';
import { CartRuleError } from './carts.errors.js';
import {
  assertAccess,
  lockOpenCart,
  lockOpenCartWithLines,
  selectCart,
  touch,
  touchReturning,
} from './carts.repository.js';
import { getCart } from './carts.service.js';
import type { CartAddress } from './carts.tables.js';
import {
  type CartView,
  cachedRegion,
  cartView,
  merchandiseTotals,
  shapeCart,
  shippingOptionsForCart,
} from './carts.view.js';
import { isCountry } from './checkout.schemas.js';
import { getRegion, type Region, regionForCountry } from './regions.service.js';
import { computeTotals } from './totals.js';

/** Cart commands beyond lines: contact and addresses, region, shipping method, promo codes. */

export interface CartPatch {
  email?: string | undefined;
  shippingAddress?: CartAddress | undefined;
  billingAddress?: CartAddress | null | undefined;
  regionId?: string | undefined;
}

export const MAX_PROMO_CODES = 10;

function checkCountries(patch: CartPatch): void {
  const errors = (['shippingAddress', 'billingAddress'] as const).flatMap((field) => {
    const code = patch[field]?.countryCode;
    return code !== undefined && !isCountry(code)
      ? [{ path: `/body/${field}/countryCode`, message: 'is not an ISO 3166-1 alpha-2 country code' }]
      : [];
  });
  if (errors.length > 0) throw new ValidationError(errors);
}

/**
 * Sets contact, addresses and region. A shipping country selects the region when the cart has none; a region must
 * hold the shipping country. A new region brings its currency (lines are re-priced on the next read) and drops the
 * chosen shipping method (options belong to a region).
 * @throws {ValidationError} 400 for an unknown country code; {@link CartRuleError} 422 `UNKNOWN_REGION`,
 *   `COUNTRY_NOT_SERVED`, `COUNTRY_NOT_IN_REGION`; 404; 409 `CART_NOT_OPEN`.
 */
export async function updateCart(deps: CartDeps, principal: Principal, cartId: string, patch: CartPatch) {
  checkCountries(patch);
  // The answer is priced from the row the update returns and the lines read with the lock, not read again.
  const changed = await withTransaction(deps.db, async (tx) => {
    const cart = await lockOpenCartWithLines(tx, cartId, principal);
    let region: Region | null = cart.region_id ? await cachedRegion(tx, cart.settings_token, cart.region_id) : null;
    if (patch.regionId !== undefined) {
      region = await getRegion(tx, patch.regionId).catch((err) => {
        if (err instanceof NotFoundError)
          throw new CartRuleError('UNKNOWN_REGION', '/body/regionId', 'names no region');
        throw err;
      });
    }
    const country = patch.shippingAddress?.countryCode ?? cart.shipping_address?.countryCode;
    if (country !== undefined) {
      const path = patch.shippingAddress ? '/body/shippingAddress/countryCode' : '/body/regionId';
      if (!region) {
        region = await regionForCountry(tx, country);
        if (!region) throw new CartRuleError('COUNTRY_NOT_SERVED', path, 'is in no region of the shop');
      } else if (!region.countries.includes(country)) {
        throw new CartRuleError('COUNTRY_NOT_IN_REGION', path, `is not a country of the region ${region.name}`);
      }
    }
    const regionChanged = region !== null && region.id !== cart.region_id;
    const row = await touchReturning(tx, cartId, {
      ...(patch.email !== undefined ? { email: patch.email.trim().toLowerCase() } : {}),
      ...(patch.shippingAddress !== undefined ? { shipping_address: jsonb(patch.shippingAddress) } : {}),
      ...(patch.billingAddress !== undefined
        ? { billing_address: patch.billingAddress ? jsonb(patch.billingAddress) : null }
        : {}),
      ...(regionChanged && region
        ? { region_id: region.id, currency_code: region.currency, shipping_option_id: null }
        : {}),
    });
    return { ...row, lines: cart.lines, settings_token: cart.settings_token };
  });
  return cartView(deps.db, changed, deps.discountsFor);
}

/** The shipping options that can ship the cart now, priced for it. @throws 422 `CART_REGION_REQUIRED`, 404. */
export async function listCartShippingOptions(deps: CartDeps, principal: Principal, cartId: string) {
  const cart = await selectCart(deps.db, cartId);
  assertAccess(cart, cartId, principal);
  const { region, totals } = await merchandiseTotals(deps.db, cart, deps.discountsFor);
  if (!region) throw regionRequired('/params/id');
  const options = await shippingOptionsForCart(deps.db, cart.settings_token, region, totals);
  return options.map((o) => ({ id: o.id, name: o.name, amount: { amount: o.amount, currency: cart.currency_code } }));
}

const regionRequired = (path: string) =>
  new CartRuleError('CART_REGION_REQUIRED', path, 'needs a region first (set a shipping address or a region)');

/**
 * Chooses a shipping option: one of the cart region's active options that can ship it now.
 * @throws {CartRuleError} 422 `CART_REGION_REQUIRED` or `SHIPPING_OPTION_UNAVAILABLE` naming `optionId`; 404; 409.
 */
export async function setShippingMethod(
  deps: CartDeps,
  principal: Principal,
  cartId: string,
  optionId: string,
): Promise<CartView> {
  // Priced once, in the transaction: the answer is built from what was just read, not read again.
  return withTransaction(deps.db, async (tx) => {
    const cart = await lockOpenCartWithLines(tx, cartId, principal);
    const { variants, region, rule, input, totals, found } = await merchandiseTotals(tx, cart, deps.discountsFor);
    if (!region) throw regionRequired('/body/optionId');
    const options = await shippingOptionsForCart(tx, cart.settings_token, region, totals);
    const shipping = options.find((o) => o.id === optionId);
    if (!shipping) {
      throw new CartRuleError(
        'SHIPPING_OPTION_UNAVAILABLE',
        '/body/optionId',
        'is not an option that can ship this cart',
      );
    }
    await touch(tx, cartId, { shipping_option_id: optionId });
    const priced = computeTotals({ ...input, shipping: { amount: shipping.amount, taxRate: rule?.rate ?? 0 } });
    return shapeCart(
      { ...cart, shipping_option_id: optionId, updated_at: new Date() },
      { variants, region, rule, shipping, totals: priced, found },
    );
  });
}

/**
 * Stores a promo code (upper-cased, once) for the promotion engine to judge; at most 10 per cart.
 * @throws {CartRuleError} 422 `PROMO_CODE_LIMIT`; 404; 409.
 */
export async function addPromoCode(deps: CartDeps, principal: Principal, cartId: string, code: string) {
  const normalized = code.trim().toUpperCase();
  await withTransaction(deps.db, async (tx) => {
    const cart = await lockOpenCart(tx, cartId, principal);
    if (cart.promo_codes.includes(normalized)) return;
    if (cart.promo_codes.length >= MAX_PROMO_CODES) {
      throw new CartRuleError(
        'PROMO_CODE_LIMIT',
        '/body/code',
        `would be code ${MAX_PROMO_CODES + 1}; the limit is ${MAX_PROMO_CODES}`,
      );
    }
    await touch(tx, cartId, { promo_codes: [...cart.promo_codes, normalized] });
  });
  return getCart(deps, principal, cartId);
}

/** Removes a promo code (case-insensitive); removing one the cart does not have changes nothing. */
export async function removePromoCode(deps: CartDeps, principal: Principal, cartId: string, code: string) {
  const normalized = code.trim().toUpperCase();
  await withTransaction(deps.db, async (tx) => {
    const cart = await lockOpenCart(tx, cartId, principal);
    if (!cart.promo_codes.includes(normalized)) return;
    await touch(tx, cartId, { promo_codes: cart.promo_codes.filter((c) => c !== normalized) });
  });
  return getCart(deps, principal, cartId);
}
