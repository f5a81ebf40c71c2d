import type { WeightBand } from './checkout.tables.js';

/** Pure shipping pricing: which of a region's options a cart can use, and at what price. */

export type ShippingPrice =
  | { kind: 'flat'; amount: number }
  | { kind: 'free_above'; amount: number; threshold: number }
  | { kind: 'weight_bands'; bands: WeightBand[] };

export interface PricedOption {
  id: string;
  name: string;
  active: boolean;
  price: ShippingPrice;
}

export interface ShippingCart {
  /** The merchandise amount after discounts (what `free_above` thresholds compare against), in minor units. */
  subtotal: number;
  weightGrams: number;
}

/**
 * The price of one option for a cart, or null when it cannot ship it. `free_above` is free when the discounted
 * subtotal reaches the threshold (≥); `weight_bands` takes the first band whose `maxGrams` ≥ the cart's weight, and
 * a cart heavier than the last band cannot use the option.
 */
export function shippingPrice(price: ShippingPrice, cart: ShippingCart): number | null {
  switch (price.kind) {
    case 'flat':
      return price.amount;
    case 'free_above':
      return cart.subtotal >= price.threshold ? 0 : price.amount;
    case 'weight_bands':
      return price.bands.find((b) => cart.weightGrams <= b.maxGrams)?.amount ?? null;
  }
}

/** The active options that can ship `cart`, each with its price, in the given order. */
export function shippingOptionsFor<T extends PricedOption>(
  options: readonly T[],
  cart: ShippingCart,
): (T & { amount: number })[] {
  return options.flatMap((option) => {
    if (!option.active) return [];
    const amount = shippingPrice(option.price, cart);
    return amount === null ? [] : [{ ...option, amount }];
  });
}
