import { BusinessRuleError } from '../../platform/errors.js';
import { add, allocate, type Money, money, multiplyRatio } from '../../platform/money.js';

/**
 * The totals engine: pure functions, no database. Every amount is an integer of the input currency's minor units
 * and every intermediate result goes through platform/money (BigInt, explicit rounding) — never a float.
 *
 * Rules:
 * - Line subtotal = unitPrice × quantity.
 * - Discounts apply in input order: line discounts first, then order discounts. Each is capped at what is left of
 *   what it applies to (a line's remaining amount, or the sum of every line's remaining amount), so no line ever goes
 *   below zero. An order discount is split over the lines in proportion to their remaining amounts (= their
 *   subtotals when no line discount came first) by the largest-remainder method: the shares sum to the discount
 *   exactly and each is within one minor unit of its exact share. Discounts never touch shipping.
 * - Tax is computed per line (and for shipping) on its discounted amount and rounded half-up (ties away from zero)
 *   once per line. Tax-exclusive: tax = round(taxable × rate). Tax-inclusive: the price holds the tax, so
 *   tax = round(gross × rate / (1 + rate)) in exact integer arithmetic and the line's base is gross − tax.
 *   Either way a line's `total` = `taxableAmount` + `tax`.
 */

/** A tax rate in thousandths of a percent: 19% = 19000, 8.875% = 8875 (the unit `multiplyRatio(m, r, 100_000)` takes). */
export type TaxRate = number;
export const TAX_RATE_SCALE = 100_000;

export interface TotalsLineInput {
  lineId: string;
  /** Minor units, entered with tax when the region is tax-inclusive. */
  unitPrice: number;
  quantity: number;
  taxRate: TaxRate;
  /** Per unit. */
  weightGrams?: number;
}

/** A discount already decided by the promotion engine. */
export type DiscountInput =
  | { promotionId: string; target: 'order'; amount: number }
  | { promotionId: string; target: 'lines'; lines: { lineId: string; amount: number }[] };

export interface TotalsInput {
  currency: string;
  taxInclusive: boolean;
  lines: TotalsLineInput[];
  discounts?: DiscountInput[];
  /** The chosen shipping price (in the region's price convention) and the shipping country's standard rate. */
  shipping?: { amount: number; taxRate: TaxRate } | null;
}

export interface DiscountShare {
  promotionId: string;
  amount: number;
}

export interface LineTotals {
  lineId: string;
  quantity: number;
  subtotal: number;
  discount: number;
  /** Non-zero discount shares by promotion, in the order applied (line discounts, then order discounts). */
  adjustments: DiscountShare[];
  /** The amount tax is charged on: net of tax in both conventions. */
  taxableAmount: number;
  taxRate: TaxRate;
  tax: number;
  /** What the customer pays for the line: taxableAmount + tax. */
  total: number;
}

export interface ShippingTotals {
  amount: number;
  taxableAmount: number;
  taxRate: TaxRate;
  tax: number;
  total: number;
}

export interface Totals {
  currency: string;
  taxInclusive: boolean;
  lines: LineTotals[];
  shipping: ShippingTotals | null;
  /** Applied amount per discount (after capping), in input order. */
  discounts: DiscountShare[];
  /** Per distinct rate, ascending: the summed taxable amounts and taxes of lines and shipping. */
  taxLines: { taxRate: TaxRate; base: number; tax: number }[];
  weightGrams: number;
  /** Σ line subtotals. */
  subtotal: number;
  /** Σ line discounts = Σ applied discounts. */
  discountTotal: number;
  /** What the customer pays for shipping, tax included. */
  shippingTotal: number;
  /** Line tax + shipping tax (already inside `total` either way). */
  taxTotal: number;
  /** Σ line totals + shippingTotal. */
  total: number;
}

/** Thrown for an engine input that cannot be priced (negative amounts, unknown or repeated line ids, bad rates). */
export class InvalidTotalsInputError extends BusinessRuleError {
  constructor(detail: string) {
    super('INVALID_TOTALS_INPUT', detail);
  }
}

function count(value: number, what: string, min = 0): number {
  if (!Number.isSafeInteger(value) || value < min)
    throw new InvalidTotalsInputError(`${what} must be an integer ≥ ${min}.`);
  return value;
}

const rank = (d: DiscountInput | undefined) => (d?.target === 'lines' ? 0 : 1);

function rate(value: number, what: string): TaxRate {
  if (!Number.isSafeInteger(value) || value < 0 || value > TAX_RATE_SCALE) {
    throw new InvalidTotalsInputError(`${what} must be an integer between 0 and ${TAX_RATE_SCALE}.`);
  }
  return value;
}

/** Tax on `taxable` at `r`, rounded half-up, for prices with (`inclusive`) or without tax. */
export function taxOn(taxable: Money, r: TaxRate, inclusive: boolean): Money {
  return inclusive
    ? multiplyRatio(taxable, r, TAX_RATE_SCALE + r, 'half_up')
    : multiplyRatio(taxable, r, TAX_RATE_SCALE, 'half_up');
}

function taxed(amount: number, currency: string, r: TaxRate, inclusive: boolean) {
  const tax = taxOn(money(amount, currency), r, inclusive).amount;
  const taxableAmount = inclusive ? amount - tax : amount;
  return { taxableAmount, tax, total: taxableAmount + tax };
}

/**
 * Prices a cart: per line, per tax rate and in total (rules above).
 * @throws {InvalidTotalsInputError} on a negative or non-integer amount, quantity or weight, a rate outside
 *   0–100000, a repeated line id, or a line discount naming an unknown line.
 * @throws {UnknownCurrencyError} for an unsupported currency; {@link InvalidMoneyError} on overflow.
 */
export function computeTotals(input: TotalsInput): Totals {
  const { currency, taxInclusive } = input;
  // Sums go through money.add, which throws rather than lose a unit past 2^53.
  const plus = (a: number, b: number) => add(money(a, currency), money(b, currency)).amount;
  const sumOf = (values: number[]) => values.reduce(plus, 0);
  const index = new Map<string, number>();
  const lines = input.lines.map((l, i) => {
    if (index.has(l.lineId)) throw new InvalidTotalsInputError(`Line ${l.lineId} appears twice.`);
    index.set(l.lineId, i);
    const subtotal = money(count(l.unitPrice, 'unitPrice') * count(l.quantity, 'quantity', 1), currency).amount;
    return {
      lineId: l.lineId,
      quantity: l.quantity,
      taxRate: rate(l.taxRate, 'taxRate'),
      weight: count(l.weightGrams ?? 0, 'weightGrams') * l.quantity,
      subtotal,
      remaining: subtotal,
      adjustments: [] as DiscountShare[],
    };
  });

  const give = (line: (typeof lines)[number], promotionId: string, amount: number) => {
    if (amount === 0) return;
    line.remaining -= amount;
    line.adjustments.push({ promotionId, amount });
  };
  const discounts = input.discounts ?? [];
  const applied: DiscountShare[] = discounts.map((d) => ({ promotionId: d.promotionId, amount: 0 }));
  // Line discounts first: an order discount is then shared over what the lines still cost.
  const order = discounts.map((_, i) => i).sort((a, b) => rank(discounts[a]) - rank(discounts[b]) || a - b);
  for (const at of order) {
    const d = discounts[at] as DiscountInput;
    const result = applied[at] as DiscountShare;
    if (d.target === 'lines') {
      for (const part of d.lines) {
        const i = index.get(part.lineId);
        if (i === undefined) {
          throw new InvalidTotalsInputError(`Discount ${d.promotionId} names unknown line ${part.lineId}.`);
        }
        const line = lines[i] as (typeof lines)[number];
        const amount = Math.min(count(part.amount, 'discount amount'), line.remaining);
        give(line, d.promotionId, amount);
        result.amount += amount;
      }
    } else {
      const left = sumOf(lines.map((l) => l.remaining));
      result.amount = Math.min(count(d.amount, 'discount amount'), left);
      if (lines.length === 0) continue;
      const shares = allocate(
        money(result.amount, currency),
        lines.map((l) => l.remaining),
      );
      shares.forEach((share, i) => {
        give(lines[i] as (typeof lines)[number], d.promotionId, share.amount);
      });
    }
  }

  const lineTotals: LineTotals[] = lines.map((l) => ({
    lineId: l.lineId,
    quantity: l.quantity,
    subtotal: l.subtotal,
    discount: l.subtotal - l.remaining,
    adjustments: l.adjustments,
    taxRate: l.taxRate,
    ...taxed(l.remaining, currency, l.taxRate, taxInclusive),
  }));
  const shipping: ShippingTotals | null = input.shipping
    ? {
        amount: count(input.shipping.amount, 'shipping amount'),
        taxRate: rate(input.shipping.taxRate, 'shipping taxRate'),
        ...taxed(input.shipping.amount, currency, input.shipping.taxRate, taxInclusive),
      }
    : null;

  const byRate = new Map<TaxRate, { taxRate: TaxRate; base: number; tax: number }>();
  for (const t of [...lineTotals, ...(shipping ? [shipping] : [])]) {
    const entry = byRate.get(t.taxRate) ?? { taxRate: t.taxRate, base: 0, tax: 0 };
    entry.base = plus(entry.base, t.taxableAmount);
    entry.tax = plus(entry.tax, t.tax);
    byRate.set(t.taxRate, entry);
  }
  const shippingTotal = shipping?.total ?? 0;
  return {
    currency,
    taxInclusive,
    lines: lineTotals,
    shipping,
    discounts: applied,
    taxLines: [...byRate.values()].sort((a, b) => a.taxRate - b.taxRate),
    weightGrams: count(
      lines.reduce((acc, l) => acc + l.weight, 0),
      'total weight',
    ),
    subtotal: sumOf(lineTotals.map((l) => l.subtotal)),
    discountTotal: sumOf(lineTotals.map((l) => l.discount)),
    shippingTotal,
    taxTotal: sumOf([...lineTotals.map((l) => l.tax), shipping?.tax ?? 0]),
    total: sumOf([...lineTotals.map((l) => l.total), shippingTotal]),
  };
}
