/**
 * checkout — regions, tax rates, shipping options and the totals engine (carts and completion come next).
 * The only file other modules import.
 */

import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import './checkout.tables.js';
import { regionRoutes } from './regions.routes.js';
import { shippingOptionRoutes } from './shipping-options.routes.js';
import { taxRateRoutes } from './tax-rates.routes.js';

export {
  CountryInOtherRegionError,
  RegionCurrencyInUseError,
  RegionNameTakenError,
  TaxRateExistsError,
  UnknownReferenceError,
} from './checkout.errors.js';
export { isCountry } from './checkout.schemas.js';
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

/** Registers the checkout admin routes: regions, tax rates and shipping options (all `settings:manage`). */
export async function checkoutRoutes(app: App, deps: { db: Db }) {
  await regionRoutes(app, deps);
  await taxRateRoutes(app, deps);
  await shippingOptionRoutes(app, deps);
}
