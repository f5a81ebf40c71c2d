/**
 * checkout — regions, tax rates, shipping options, the totals engine, promotions, carts and their
 * completion into orders (phase one here, payment through `payments`, the order through `orders`).
 * The only file other modules import.
 */

import type { App } from '../../platform/http/types.js';
import './checkout.events.js';
import './checkout.tables.js';
import './carts.tables.js';
import { cartRoutes } from './carts.routes.js';
import type { CheckoutDeps } from './completion.deps.js';
import { completionRoutes } from './completion.routes.js';
import { regionPreviewRoutes } from './preview.routes.js';
import { promotionRoutes } from './promotions.routes.js';
import { regionRoutes } from './regions.routes.js';
import { shippingOptionRoutes } from './shipping-options.routes.js';
import { taxRateRoutes } from './tax-rates.routes.js';

/** The promotion engine as checkout's pricing seam (`CartDeps.discountsFor`): wired once, for every pricing path. */
export { promotionDiscounts } from './cart-promotions.js';
export type { CartDeps } from './carts.deps.js';
/** Cart errors: 404 `NOT_FOUND` (unknown or another customer's cart), 409 `CART_NOT_OPEN`, 422 naming the field. */
export { CartNotFoundError, CartNotOpenError, CartRuleError } from './carts.errors.js';
/**
 * Guest → customer on login: adopts the guest cart, or moves its lines into the customer's open cart and deletes it.
 * Locks both carts in id order. @throws 404 (unknown or another customer's cart), 409 `CART_NOT_OPEN`.
 */
export { mergeGuestCart } from './carts.merge.js';
/**
 * Checkout's part of the privacy requests (run by `privacy` in its one transaction): a customer's carts (by account,
 * by the email a guest used, and those their orders came from) — `exportCustomerCarts`, and `eraseCustomerCarts`
 * (email and addresses cleared, the account link cut, promotion uses no longer keyed by them). Locks carts in id order.
 */
export { type CartOwner, eraseCustomerCarts, exportCustomerCarts } from './carts.privacy.js';
/** Cart reads and line commands; each change locks the cart row, and re-holds stock when STOCK_HOLD_AT=add_to_cart. */
export {
  addCartLine,
  createCart,
  getCart,
  lockCartForCheckout,
  newCartId,
  setCartLineQuantity,
} from './carts.service.js';
/**
 * Stock for the completion step: `holdCartStock(deps, tx, cartId)` (re-)holds every line for HOLD_TTL_SECONDS
 * (409 `INSUFFICIENT_STOCK`, nothing changed); `releaseCartStock` gives the holds back.
 */
export { holdCartStock, releaseCartStock } from './carts.stock.js';
export { type CartPatch, setShippingMethod, updateCart } from './carts.update.js';
/** A cart priced now (`cartView`), the promotion seam's input (`CartSnapshot`) and signature (`DiscountsFor`). */
export { type CartSnapshot, type CartView, cartView, type DiscountsFor } from './carts.view.js';
export {
  CountryInOtherRegionError,
  RegionCurrencyInUseError,
  RegionNameTakenError,
  TaxRateExistsError,
  UnknownReferenceError,
} from './checkout.errors.js';
export { isCountry } from './checkout.schemas.js';
export { type Begun, beginCompletion } from './completion.begin.js';
export type { CheckoutDeps } from './completion.deps.js';
/**
 * Completion: `completeCart` runs the three phases (idempotent per cart); `finishCompletion` repeats phases two and
 * three for an order whose phase one committed; the worker entry `finishStaleCompletions` does that for completions
 * stuck past a grace period and abandons them past COMPLETION_ABANDON_SECONDS.
 */
export { CartIncompleteError } from './completion.errors.js';
export { abandonCompletion, finishCompletion } from './completion.finish.js';
export { type CompletionResult, completeCart } from './completion.service.js';
export { finishStaleCompletions } from './completion.worker.js';
/** Completes carts whose buyer paid at the gateway but never came back (or gives the money back). */
export { completePaidCarts, type PaidCartsReport } from './paid-carts.js';
/** The webhook worker's hook: places/cancels the order waiting for a payment, puts disputes on the timeline. */
export { paymentEventHook } from './payment-events.js';
/**
 * Promotions. Admin: `createPromotion`/`updatePromotion` throw 400 naming each bad field and 409
 * `PromotionCodeTakenError` (codes are unique ignoring case); `deletePromotion` throws 409 `PromotionInUseError` once
 * redeemed. Checkout: `evaluatePromotions(db, cart)` (reads only) returns the discounts for `computeTotals`, what
 * applied and why codes were refused — see promotions.rules.ts for the combination and rounding rules;
 * `redeemPromotions(tx, { promotionIds, customerKey, orderId })` counts the uses in the order's transaction, locking
 * the promotion rows in id order, and throws 409 `PromotionExhaustedError` when a total or per-customer limit is
 * reached (roll back); `releaseRedemptions(tx, orderId)` gives an order's uses back.
 */
export { PromotionCodeTakenError, PromotionExhaustedError, PromotionInUseError } from './promotions.errors.js';
export { evaluatePromotions } from './promotions.evaluate.js';
export { type RedeemInput, redeemPromotions, releaseRedemptions } from './promotions.redeem.js';
export {
  type AppliedPromotion,
  choosePromotions,
  type PromotionCart,
  type PromotionEvaluation,
  type PromotionLine,
  type RejectReason,
  rejectReasons,
} from './promotions.rules.js';
export {
  createPromotion,
  deletePromotion,
  getPromotion,
  listPromotions,
  type Promotion,
  type PromotionInput,
  type PromotionPatch,
  updatePromotion,
} from './promotions.service.js';
/**
 * Regions. `createRegion`/`updateRegion` throw 400 `ValidationError` for an unknown currency or country, 409
 * `CountryInOtherRegionError` when a country already belongs to another region (the `region_country` primary key
 * decides) and 409 `RegionNameTakenError`; `getRegion`, `updateRegion`, `deleteRegion` throw 404 for an unknown id.
 * Writes lock the region row and append an audit row in the same transaction. `regionForCountry` answers null when
 * no region sells to the country.
 */
export {
  createRegion,
  deleteRegion,
  getRegion,
  listRegions,
  type Region,
  type RegionInput,
  regionForCountry,
  updateRegion,
} from './regions.service.js';
/** Pure shipping pricing: `shippingOptionsFor(options, { subtotal, weightGrams })` → active, shippable options with their price. */
export {
  type PricedOption,
  type ShippingCart,
  type ShippingPrice,
  shippingOptionsFor,
  shippingPrice,
} from './shipping.js';
/**
 * Shipping options per region. Create/update throw 404 for an unknown region or stock location and 400 when the
 * price fields do not fit the kind; each write appends an audit row. `availableShippingOptions(db, regionId, cart)`
 * prices a region's options for a cart.
 */
export {
  availableShippingOptions,
  createShippingOption,
  deleteShippingOption,
  getShippingOption,
  listShippingOptions,
  type ShippingOption,
  type ShippingOptionInput,
  updateShippingOption,
} from './shipping-options.service.js';
/**
 * Tax rates per country/province with per-category overrides (thousandths of a percent). Create/update throw 400
 * for an unknown country or a repeated category, 409 `TaxRateExistsError`, 404 for an unknown category; each write
 * appends an audit row. `taxRuleFor(db, { countryCode, provinceCode })` returns the province's rule, else the
 * country's, else null.
 */
export {
  createTaxRate,
  deleteTaxRate,
  getTaxRate,
  listTaxRates,
  type TaxRate as TaxRateRecord,
  type TaxRateInput,
  type TaxRateOverride,
  taxRuleFor,
  updateTaxRate,
} from './tax-rates.service.js';
/** Pure: the rate of a product from a country's rule and the product's category paths (most specific override wins). */
export { rateForProduct, type TaxRule } from './tax-rules.js';
/**
 * The totals engine (pure, integer minor units, no floats): `computeTotals(input)` prices lines, discounts
 * (line discounts, then order discounts split by largest remainder), per-line half-up tax (exclusive or inclusive)
 * and shipping. Throws 422 `InvalidTotalsInputError` for input it cannot price.
 */
export {
  computeTotals,
  type DiscountInput,
  type DiscountShare,
  InvalidTotalsInputError,
  type LineTotals,
  type ShippingTotals,
  TAX_RATE_SCALE,
  type TaxRate,
  type Totals,
  type TotalsInput,
  type TotalsLineInput,
  taxOn,
} from './totals.js';

/** Registers the checkout routes: regions, tax rates, shipping options (all `settings:manage`) and storefront carts. */
export async function checkoutRoutes(app: App, deps: CheckoutDeps) {
  await regionRoutes(app, { db: deps.db, paymentProviderIds: () => deps.payments.providers.ids() });
  await taxRateRoutes(app, deps);
  await shippingOptionRoutes(app, deps);
  await regionPreviewRoutes(app, deps);
  await promotionRoutes(app, deps);
  await cartRoutes(app, deps);
  await completionRoutes(app, deps);
}
