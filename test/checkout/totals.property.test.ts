import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeTotals,
  type DiscountInput,
  TAX_RATE_SCALE,
  type TotalsInput,
} from '../../src/modules/checkout/index.js';

const rate = fc.oneof(
  fc.constantFrom(0, 5000, 7000, 8875, 10_000, 19_000, 20_000, 25_000),
  fc.integer({ min: 0, max: TAX_RATE_SCALE }),
);

const cart: fc.Arbitrary<TotalsInput> = fc
  .record({
    // Zero-, two- and three-decimal currencies.
    currency: fc.constantFrom('EUR', 'USD', 'JPY', 'KWD', 'BHD', 'CLP'),
    taxInclusive: fc.boolean(),
    lines: fc.array(
      fc.record({
        unitPrice: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 10_000_000 })),
        quantity: fc.integer({ min: 1, max: 50 }),
        taxRate: rate,
        weightGrams: fc.integer({ min: 0, max: 20_000 }),
      }),
      { maxLength: 8 },
    ),
    discounts: fc.array(
      fc.oneof(
        fc.record({ target: fc.constant('order' as const), amount: fc.integer({ min: 0, max: 5_000_000 }) }),
        fc.record({
          target: fc.constant('lines' as const),
          parts: fc.array(fc.record({ at: fc.nat(), amount: fc.integer({ min: 0, max: 5_000_000 }) }), {
            maxLength: 4,
          }),
        }),
      ),
      { maxLength: 4 },
    ),
    shipping: fc.option(fc.record({ amount: fc.integer({ min: 0, max: 100_000 }), taxRate: rate })),
  })
  .map(({ lines, discounts, ...rest }) => {
    const withIds = lines.map((l, i) => ({ lineId: `line_${i}`, ...l }));
    const ds: DiscountInput[] = discounts.flatMap((d, i): DiscountInput[] => {
      const promotionId = `promo_${i}`;
      if (d.target === 'order') return [{ promotionId, target: 'order', amount: d.amount }];
      if (withIds.length === 0) return [];
      const parts = new Map(d.parts.map((p) => [`line_${p.at % withIds.length}`, p.amount]));
      return [{ promotionId, target: 'lines', lines: [...parts].map(([lineId, amount]) => ({ lineId, amount })) }];
    });
    return { ...rest, lines: withIds, discounts: ds };
  });

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('totals: properties over random carts, discounts and rates', () => {
  it('adds up: line totals + shipping = total; discounts and taxes reconcile exactly; nothing negative', () => {
    fc.assert(
      fc.property(cart, (input) => {
        const t = computeTotals(input);
        expect(sum(t.lines.map((l) => l.total)) + t.shippingTotal).toBe(t.total);
        expect(sum(t.lines.map((l) => l.discount))).toBe(t.discountTotal);
        expect(sum(t.discounts.map((d) => d.amount))).toBe(t.discountTotal);
        expect(sum(t.taxLines.map((r) => r.tax))).toBe(t.taxTotal);
        expect(sum(t.lines.map((l) => l.tax)) + (t.shipping?.tax ?? 0)).toBe(t.taxTotal);
        expect(sum(t.lines.map((l) => l.subtotal))).toBe(t.subtotal);
        const shippingAmount = input.shipping?.amount ?? 0;
        if (input.taxInclusive) expect(t.total).toBe(t.subtotal - t.discountTotal + shippingAmount);
        else expect(t.total).toBe(t.subtotal - t.discountTotal + shippingAmount + t.taxTotal);
        for (const l of t.lines) {
          for (const v of [l.subtotal, l.discount, l.taxableAmount, l.tax, l.total])
            expect(v).toBeGreaterThanOrEqual(0);
          expect(l.discount).toBeLessThanOrEqual(l.subtotal);
          expect(l.taxableAmount + l.tax).toBe(l.total);
          expect(l.total).toBe(input.taxInclusive ? l.subtotal - l.discount : l.subtotal - l.discount + l.tax);
          expect(sum(l.adjustments.map((a) => a.amount))).toBe(l.discount);
        }
        for (const v of [t.subtotal, t.discountTotal, t.shippingTotal, t.taxTotal, t.total]) {
          expect(v).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('each discount is applied in full unless capped, and its line shares sum to exactly what was applied', () => {
    fc.assert(
      fc.property(cart, (input) => {
        const t = computeTotals(input);
        (input.discounts ?? []).forEach((d, i) => {
          const applied = t.discounts[i]?.amount ?? -1;
          const asked = d.target === 'order' ? d.amount : sum(d.lines.map((p) => p.amount));
          expect(applied).toBeLessThanOrEqual(asked);
          const shares = t.lines.flatMap((l) => l.adjustments.filter((a) => a.promotionId === d.promotionId));
          expect(sum(shares.map((s) => s.amount))).toBe(applied);
        });
        // A capped order discount used up everything: every line is then fully discounted.
        const capped = (input.discounts ?? []).some(
          (d, i) => d.target === 'order' && (t.discounts[i]?.amount ?? 0) < d.amount,
        );
        if (capped) for (const l of t.lines) expect(l.discount).toBe(l.subtotal);
      }),
      { numRuns: 300 },
    );
  });

  it('a single order discount is split in proportion to the line subtotals, each share within one unit of exact', () => {
    fc.assert(
      fc.property(cart, fc.nat({ max: 10_000_000 }), (input, amount) => {
        const t = computeTotals({ ...input, discounts: [{ promotionId: 'p', target: 'order', amount }] });
        const subtotal = BigInt(t.subtotal);
        for (const l of t.lines) {
          // |share × Σ − applied × subtotal_i| < Σ, i.e. within one unit of the exact share.
          const gap = BigInt(l.discount) * subtotal - BigInt(t.discountTotal) * BigInt(l.subtotal);
          expect(gap < 0n ? -gap : gap).toBeLessThan(subtotal === 0n ? 1n : subtotal);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('each tax is the exact tax rounded half-up: within half a unit, ties up', () => {
    fc.assert(
      fc.property(cart, (input) => {
        const t = computeTotals(input);
        const scale = BigInt(TAX_RATE_SCALE);
        for (const l of [...t.lines, ...(t.shipping ? [t.shipping] : [])]) {
          const gross = BigInt(l.total);
          const r = BigInt(l.taxRate);
          // exact tax = num / den
          const [num, den] = input.taxInclusive ? [gross * r, scale + r] : [BigInt(l.taxableAmount) * r, scale];
          const twiceGap = 2n * (BigInt(l.tax) * den - num);
          expect(twiceGap > -den && twiceGap <= den).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
