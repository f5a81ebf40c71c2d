import type { Queryable } from '../../platform/db/database.js';
import { type Money, money } from '../../platform/money.js';
import { type SellableVariant, sellableVariants } from '../catalog/index.js';
import type { CartLineRow, CartWithLines } from './carts.repository.js';
import type { CartAddress, CartStatus } from './carts.tables.js';
import { getRegion, type Region } from './regions.service.js';
import { cachedSetting } from './settings-cache.js';
import { shippingOptionsFor } from './shipping.js';
import { listShippingOptions } from './shipping-options.service.js';
import { taxRuleFor } from './tax-rates.service.js';
import { rateForProduct } from './tax-rules.js';
import { computeTotals, type DiscountInput, type TaxRate } from './totals.js';

/**
 * The cart as the storefront sees it, priced from the catalog's current prices on every read (never from stored
 * or client-sent amounts). Lines whose variant is no longer sellable, or has no price in the cart's currency, stay in
 * the cart marked `available: false` and count for nothing; checkout refuses such a cart.
 */

/** What the promotion engine sees to decide discounts (`CartDeps.discountsFor`, required on every pricing path). */
export interface CartSnapshot {
  cartId: string;
  customerId: string | null;
  email: string | null;
  currency: string;
  regionId: string | null;
  promoCodes: string[];
  lines: {
    lineId: string;
    variantId: string;
    productId: string;
    categoryIds: string[];
    quantity: number;
    unitPrice: number;
    subtotal: number;
  }[];
}

/** What a promotion engine answers: the discounts to apply, which promotion (and code) each is, refused codes and why. */
export interface CartDiscounts {
  discounts: DiscountInput[];
  /** The code behind each discount's promotion (null: automatic). */
  codes?: Record<string, string | null> | undefined;
  rejectedCodes?: { code: string; reason: string }[] | undefined;
}

/** `db` is the caller's connection or transaction: read through it (an embedded database has one connection). */
export type DiscountsFor = (cart: CartSnapshot, db: Queryable) => Promise<CartDiscounts>;

export interface CartLineView {
  id: string;
  variantId: string;
  productId: string | null;
  title: string | null;
  variantTitle: string | null;
  sku: string | null;
  quantity: number;
  available: boolean;
  unitPrice: Money;
  subtotal: Money;
  discount: Money;
  tax: Money;
  total: Money;
}

export interface CartView {
  id: string;
  status: CartStatus;
  customerId: string | null;
  currency: string;
  region: { id: string; name: string; taxInclusive: boolean } | null;
  countryCode: string | null;
  email: string | null;
  shippingAddress: CartAddress | null;
  billingAddress: CartAddress | null;
  shippingMethod: { optionId: string; name: string; amount: Money } | null;
  promoCodes: string[];
  /** The payment method chosen with `POST …/payment`. */
  payment: { provider: string } | null;
  /** What the promotions took off (after caps), and each entered code that gives nothing, with the reason. */
  promotions: {
    applied: { promotionId: string; code: string | null; amount: Money }[];
    rejected: { code: string; reason: string }[];
  };
  lines: CartLineView[];
  totals: {
    subtotal: Money;
    discountTotal: Money;
    shippingTotal: Money;
    taxTotal: Money;
    total: Money;
    taxLines: { rate: TaxRate; base: Money; tax: Money }[];
  };
  stock: { heldUntil: string; expired: boolean } | null;
  createdAt: string;
  updatedAt: string;
}

/** Everything a cart's prices depend on, read in up to four statements. */
export async function pricingContext(db: Queryable, cart: CartWithLines) {
  const empty = cart.lines.length === 0;
  const [variants, region] = await Promise.all([
    empty
      ? new Map<string, SellableVariant>()
      : cart.sellable_variants
        ? Promise.resolve(cart.sellable_variants)
        : sellableVariants(
            db,
            cart.sales_channel_id,
            cart.lines.map((l) => l.variant_id),
          ),
    cart.region_id ? cachedRegion(db, cart.settings_token, cart.region_id) : Promise.resolve(null),
  ]);
  // An empty cart has nothing to tax: its totals are zero whatever the rate.
  const country = cart.shipping_address?.countryCode ?? cart.country_code;
  const rule =
    country && !empty
      ? await cachedSetting(cart.settings_token, `tax:${country}`, () =>
          taxRuleFor(db, { countryCode: country, provinceCode: null }),
        )
      : null;
  return { variants, region, rule };
}

const priceOf = (v: SellableVariant | undefined, currency: string) => (v ? v.prices[currency] : undefined);

/** Lines that can be priced: sellable, priced in the cart's currency. */
export function pricedLines(cart: CartWithLines, variants: ReadonlyMap<string, SellableVariant>) {
  return cart.lines.flatMap((l: CartLineRow) => {
    const v = variants.get(l.variant_id);
    const unitPrice = priceOf(v, cart.currency_code);
    return v && unitPrice !== undefined ? [{ line: l, variant: v, unitPrice }] : [];
  });
}

export function snapshotOf(cart: CartWithLines, variants: ReadonlyMap<string, SellableVariant>): CartSnapshot {
  return {
    cartId: cart.id,
    customerId: cart.customer_id,
    email: cart.email,
    currency: cart.currency_code,
    regionId: cart.region_id,
    promoCodes: cart.promo_codes,
    lines: pricedLines(cart, variants).map(({ line, variant, unitPrice }) => ({
      lineId: line.id,
      variantId: line.variant_id,
      productId: variant.productId,
      // Every category on the way to the product's categories: promotions on a parent apply.
      categoryIds: [...new Set(variant.categoryPaths.flat())],
      quantity: line.quantity,
      unitPrice,
      subtotal: unitPrice * line.quantity,
    })),
  };
}

/** The cart priced without shipping, with what it was priced from. */
export async function merchandiseTotals(db: Queryable, cart: CartWithLines, discountsFor: DiscountsFor) {
  const ctx = await pricingContext(db, cart);
  const { variants, region, rule } = ctx;
  const priced = pricedLines(cart, variants);
  const found: CartDiscounts =
    priced.length > 0 ? await discountsFor(snapshotOf(cart, variants), db) : { discounts: [] };
  const discounts = found.discounts;
  const input = {
    currency: cart.currency_code,
    taxInclusive: region?.taxInclusive ?? false,
    lines: priced.map(({ line, variant, unitPrice }) => ({
      lineId: line.id,
      unitPrice,
      quantity: line.quantity,
      taxRate: rule ? rateForProduct(rule, variant.categoryPaths) : 0,
      weightGrams: variant.weightGrams ?? 0,
    })),
    discounts,
  };
  return { ...ctx, input, totals: computeTotals(input), found };
}

/** The region's options that can ship the cart, priced for it (none without a region). */
export async function shippingOptionsForCart(
  db: Queryable,
  settingsToken: string | null | undefined,
  region: Region | null,
  totals: { subtotal: number; discountTotal: number; weightGrams: number },
) {
  if (!region) return [];
  const options = await cachedSetting(settingsToken, `shipping:${region.id}`, () => listShippingOptions(db, region.id));
  return shippingOptionsFor(options, {
    subtotal: totals.subtotal - totals.discountTotal,
    weightGrams: totals.weightGrams,
  });
}

/** The region (with its countries), from the settings cache while `settingsToken` is current. */
export function cachedRegion(db: Queryable, settingsToken: string | null | undefined, id: string): Promise<Region> {
  return cachedSetting(settingsToken, `region:${id}`, () => getRegion(db, id));
}

/**
 * The cart priced with `computeTotals` (merchandise, then the chosen shipping), with everything it was priced from:
 * what checkout snapshots into the order and what `cartView` shapes for the response.
 */
export async function priceCart(db: Queryable, cart: CartWithLines, discountsFor: DiscountsFor) {
  const { variants, region, rule, input, totals: before, found } = await merchandiseTotals(db, cart, discountsFor);
  const shipping = cart.shipping_option_id
    ? ((await shippingOptionsForCart(db, cart.settings_token, region, before)).find(
        (o) => o.id === cart.shipping_option_id,
      ) ?? null)
    : null;
  const totals = computeTotals({
    ...input,
    shipping: shipping ? { amount: shipping.amount, taxRate: rule?.rate ?? 0 } : null,
  });
  return { variants, region, rule, shipping, totals, found };
}

export type PricedCart = Awaited<ReturnType<typeof priceCart>>;

/** Prices the cart and shapes it for the response. */
export async function cartView(db: Queryable, cart: CartWithLines, discountsFor: DiscountsFor): Promise<CartView> {
  return shapeCart(cart, await priceCart(db, cart, discountsFor));
}

/** The storefront's view of a priced cart. */
export function shapeCart(cart: CartWithLines, priced: PricedCart): CartView {
  const { variants, region, shipping, totals, found } = priced;
  const currency = cart.currency_code;
  const m = (amount: number) => money(amount, currency);
  const byLine = new Map(totals.lines.map((l) => [l.lineId, l]));
  return {
    id: cart.id,
    status: cart.status,
    customerId: cart.customer_id,
    currency,
    region: region ? { id: region.id, name: region.name, taxInclusive: region.taxInclusive } : null,
    countryCode: cart.shipping_address?.countryCode ?? cart.country_code,
    email: cart.email,
    shippingAddress: cart.shipping_address,
    billingAddress: cart.billing_address,
    shippingMethod: shipping ? { optionId: shipping.id, name: shipping.name, amount: m(shipping.amount) } : null,
    promoCodes: cart.promo_codes,
    payment: cart.payment_provider ? { provider: cart.payment_provider } : null,
    promotions: {
      applied: totals.discounts
        .filter((d) => d.amount > 0)
        .map((d) => ({ promotionId: d.promotionId, code: found.codes?.[d.promotionId] ?? null, amount: m(d.amount) })),
      rejected: found.rejectedCodes ?? [],
    },
    lines: cart.lines.map((l) => {
      const v = variants.get(l.variant_id);
      const t = byLine.get(l.id);
      return {
        id: l.id,
        variantId: l.variant_id,
        productId: v?.productId ?? null,
        title: v?.title ?? null,
        variantTitle: v?.variantTitle ?? null,
        sku: v?.sku ?? null,
        quantity: l.quantity,
        available: t !== undefined,
        unitPrice: m(priceOf(v, currency) ?? 0),
        subtotal: m(t?.subtotal ?? 0),
        discount: m(t?.discount ?? 0),
        tax: m(t?.tax ?? 0),
        total: m(t?.total ?? 0),
      };
    }),
    totals: {
      subtotal: m(totals.subtotal),
      discountTotal: m(totals.discountTotal),
      shippingTotal: m(totals.shippingTotal),
      taxTotal: m(totals.taxTotal),
      total: m(totals.total),
      taxLines: totals.taxLines.map((t) => ({ rate: t.taxRate, base: m(t.base), tax: m(t.tax) })),
    },
    stock: cart.held_until
      ? { heldUntil: new Date(cart.held_until).toISOString(), expired: new Date(cart.held_until) <= new Date() }
      : null,
    createdAt: new Date(cart.created_at).toISOString(),
    updatedAt: new Date(cart.updated_at).toISOString(),
  };
}
