import type { TaxRate } from './totals.js';

/** Pure tax-rate resolution for a product from a country's rate and its per-category overrides. */

export interface TaxRule {
  /** The rate's name ("VAT"), for tax lines on orders and invoices. */
  name?: string | undefined;
  rate: TaxRate;
  overrides: readonly { categoryId: string; rate: TaxRate }[];
}

/**
 * The rate for a product given, for each category it is in, that category's path (root first, the category itself
 * last). The most specific override wins: an override on a category applies to its descendants unless a deeper one
 * overrides it, and across the product's categories the override found deepest in the tree wins. When the deepest
 * overrides tie on depth (a product in two sibling categories with different rates), the lowest rate wins — a rule
 * that does not depend on id or insertion order. No override on any path → the standard rate.
 */
export function rateForProduct(rule: TaxRule, categoryPaths: readonly (readonly string[])[]): TaxRate {
  const overrides = new Map(rule.overrides.map((o) => [o.categoryId, o.rate]));
  let best: { depth: number; rate: TaxRate } | null = null;
  for (const path of categoryPaths) {
    for (let depth = path.length - 1; depth >= 0; depth--) {
      const rate = overrides.get(path[depth] as string);
      if (rate === undefined) continue;
      if (!best || depth > best.depth || (depth === best.depth && rate < best.rate)) best = { depth, rate };
      break;
    }
  }
  return best?.rate ?? rule.rate;
}
