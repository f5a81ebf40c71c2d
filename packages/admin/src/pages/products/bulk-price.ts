/**
 * The arithmetic of a bulk price edit, done in integer minor units. The page shows the result of every row before
 * it is sent; the server only stores what it is given (`POST /v1/admin/prices/bulk`).
 */

export type BulkMode = 'set' | 'increase' | 'decrease';
export type BulkUnit = 'amount' | 'percent';

export interface BulkRule {
  currency: string;
  mode: BulkMode;
  unit: BulkUnit;
  /** Minor units when `unit` is amount; hundredths of a percent when `unit` is percent (10 % = 1000). */
  value: number;
  /** What happens to an existing compare-at price: kept as is, or cleared. */
  compareAt: 'keep' | 'clear';
}

export interface VariantPrices {
  variantId: string;
  sku: string;
  productId: string;
  productTitle: string;
  variantTitle: string;
  prices: { amount: number; currency: string; compareAtAmount: number | null }[];
}

export interface PlannedPrice {
  variantId: string;
  sku: string;
  productTitle: string;
  variantTitle: string;
  currency: string;
  before: number | null;
  after: number;
  compareAtAmount: number | null;
  /** Why the row cannot be sent as is (shown, and the whole edit is refused). */
  problem?: string;
}

/** Percent of an amount, rounded half up to a whole minor unit (integers only: basis points × amount / 10,000). */
function percentOf(amount: number, hundredthsOfPercent: number): number {
  return Math.floor((amount * hundredthsOfPercent + 5000) / 10_000);
}

function apply(rule: BulkRule, before: number | null): number | undefined {
  if (rule.mode === 'set') return rule.value;
  if (before === null) return undefined;
  const delta = rule.unit === 'amount' ? rule.value : percentOf(before, rule.value);
  return rule.mode === 'increase' ? before + delta : before - delta;
}

/**
 * Every price the rule changes. Raising or lowering skips variants without a price in that currency (there is
 * nothing to raise); `set` gives them one. A compare-at price that would no longer be above the price is a problem
 * unless the rule clears it.
 */
export function planBulkPrices(variants: readonly VariantPrices[], rule: BulkRule): PlannedPrice[] {
  const plan: PlannedPrice[] = [];
  for (const v of variants) {
    const current = v.prices.find((p) => p.currency === rule.currency);
    const before = current?.amount ?? null;
    const after = apply(rule, before);
    if (after === undefined) continue;
    const compareAtAmount = rule.compareAt === 'clear' ? null : (current?.compareAtAmount ?? null);
    const row: PlannedPrice = {
      variantId: v.variantId,
      sku: v.sku,
      productTitle: v.productTitle,
      variantTitle: v.variantTitle,
      currency: rule.currency,
      before,
      after,
      compareAtAmount,
    };
    if (after < 0) row.problem = 'would be below zero';
    else if (compareAtAmount !== null && compareAtAmount <= after) {
      row.problem = 'would not be below its compare-at price (clear compare-at prices, or change less)';
    }
    plan.push(row);
  }
  return plan;
}

/** `"12.5"` → 1250 hundredths of a percent; undefined when it is not a percentage with up to two decimals. */
export function parsePercent(text: string): number | undefined {
  const m = /^(\d{1,4})(?:[.,](\d{0,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
