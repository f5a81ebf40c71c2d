import { describe, expect, it } from 'vitest';
import { computeTotals, type TotalsInput } from '../../src/modules/checkout/index.js';

const line = (lineId: string, unitPrice: number, quantity: number, taxRate: number, weightGrams = 0) => ({
  lineId,
  unitPrice,
  quantity,
  taxRate,
  weightGrams,
});

describe('totals: worked examples', () => {
  it('DE, prices with 19% VAT inside: 3 × €9.99 with a 10% order discount and €4.90 shipping', () => {
    // The promotion engine decided 10% of €29.97 = €3.00 (rounded by it); VAT is taken out of what is left.
    const totals = computeTotals({
      currency: 'EUR',
      taxInclusive: true,
      lines: [line('l1', 999, 3, 19_000, 250)],
      discounts: [{ promotionId: 'promo_10', target: 'order', amount: 300 }],
      shipping: { amount: 490, taxRate: 19_000 },
    });
    // 2697 × 19 / 119 = 430.61… → 431; shipping 490 × 19 / 119 = 78.24 → 78.
    expect(totals.lines[0]).toMatchObject({
      subtotal: 2997,
      discount: 300,
      taxableAmount: 2266,
      tax: 431,
      total: 2697,
    });
    expect(totals.shipping).toMatchObject({ amount: 490, taxableAmount: 412, tax: 78, total: 490 });
    expect(totals).toMatchObject({
      subtotal: 2997,
      discountTotal: 300,
      shippingTotal: 490,
      taxTotal: 509,
      total: 3187,
      weightGrams: 750,
      discounts: [{ promotionId: 'promo_10', amount: 300 }],
      taxLines: [{ taxRate: 19_000, base: 2678, tax: 509 }],
    });
  });

  it('US (NYC), prices without tax at 8.875%: tax per line, rounded half-up', () => {
    const totals = computeTotals({
      currency: 'USD',
      taxInclusive: false,
      lines: [line('shirt', 1999, 2, 8875), line('socks', 500, 1, 8875)],
    });
    // 3998 × 0.08875 = 354.82 → 355; 500 × 0.08875 = 44.375 → 44.
    expect(totals.lines.map((l) => [l.tax, l.total])).toEqual([
      [355, 4353],
      [44, 544],
    ]);
    expect(totals).toMatchObject({ subtotal: 4498, taxTotal: 399, total: 4897, shippingTotal: 0 });
  });

  it('US: a $5 order discount is split by line subtotal, leftover cent to the largest remainder', () => {
    const totals = computeTotals({
      currency: 'USD',
      taxInclusive: false,
      lines: [line('shirt', 1999, 2, 8875), line('socks', 500, 1, 8875)],
      discounts: [{ promotionId: 'five_off', target: 'order', amount: 500 }],
      shipping: { amount: 800, taxRate: 8875 },
    });
    // Exact shares 444.42 and 55.58: floors 444 + 55, the spare cent to socks (.58 > .42).
    expect(totals.lines.map((l) => l.discount)).toEqual([444, 56]);
    // 3554 × 0.08875 = 315.42 → 315; 444 × 0.08875 = 39.41 → 39; shipping 800 × 0.08875 = 71.
    expect(totals.lines.map((l) => l.tax)).toEqual([315, 39]);
    expect(totals.shipping).toMatchObject({ tax: 71, total: 871 });
    expect(totals).toMatchObject({ subtotal: 4498, discountTotal: 500, taxTotal: 425, shippingTotal: 871 });
    expect(totals.total).toBe(4498 - 500 + 800 + 425);
  });

  it('JP, 10% consumption tax inside yen prices (no minor unit)', () => {
    const totals = computeTotals({
      currency: 'JPY',
      taxInclusive: true,
      lines: [line('tea', 1000, 3, 10_000), line('book', 1500, 1, 8000)],
    });
    // 3000 × 10 / 110 = 272.7 → 273; 1500 × 8 / 108 = 111.1 → 111.
    expect(totals.lines.map((l) => l.tax)).toEqual([273, 111]);
    expect(totals.taxLines).toEqual([
      { taxRate: 8000, base: 1389, tax: 111 },
      { taxRate: 10_000, base: 2727, tax: 273 },
    ]);
    expect(totals.total).toBe(4500);
  });

  it('rounds a tax that falls exactly between two units up (half-up), per line', () => {
    const totals = computeTotals({
      currency: 'EUR',
      taxInclusive: false,
      lines: [line('a', 5, 1, 10_000), line('b', 25, 1, 10_000), line('c', 15, 1, 10_000)],
    });
    // 0.5 → 1, 2.5 → 3 (half-even would give 0 and 2), 1.5 → 2.
    expect(totals.lines.map((l) => l.tax)).toEqual([1, 3, 2]);
  });

  it('applies line discounts before order discounts, and an order discount ties to the lower line index', () => {
    const totals = computeTotals({
      currency: 'EUR',
      taxInclusive: false,
      lines: [line('a', 1000, 1, 0), line('b', 1000, 1, 0), line('c', 1000, 1, 0), line('d', 1000, 1, 0)],
      discounts: [
        { promotionId: 'order', target: 'order', amount: 100 },
        { promotionId: 'free_d', target: 'lines', lines: [{ lineId: 'd', amount: 1000 }] },
      ],
    });
    // d is free first, so the order discount is shared by a, b, c only: 34, 33, 33.
    expect(totals.lines.map((l) => l.discount)).toEqual([34, 33, 33, 1000]);
    expect(totals.lines[3]?.adjustments).toEqual([{ promotionId: 'free_d', amount: 1000 }]);
    expect(totals.discounts).toEqual([
      { promotionId: 'order', amount: 100 },
      { promotionId: 'free_d', amount: 1000 },
    ]);
  });

  it('caps a discount at what it applies to: a line at its amount, an order discount at the merchandise', () => {
    const totals = computeTotals({
      currency: 'EUR',
      taxInclusive: true,
      lines: [line('a', 500, 1, 19_000), line('b', 300, 2, 19_000)],
      discounts: [
        { promotionId: 'big_line', target: 'lines', lines: [{ lineId: 'a', amount: 9999 }] },
        { promotionId: 'big_order', target: 'order', amount: 100_000 },
      ],
      shipping: { amount: 490, taxRate: 19_000 },
    });
    expect(totals.discounts).toEqual([
      { promotionId: 'big_line', amount: 500 },
      { promotionId: 'big_order', amount: 600 },
    ]);
    expect(totals.lines.map((l) => [l.total, l.tax])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    // Discounts never reach shipping.
    expect(totals.total).toBe(490);
  });

  it('prices an empty cart (and shipping alone) without dividing by zero', () => {
    const totals = computeTotals({
      currency: 'KWD',
      taxInclusive: false,
      lines: [],
      discounts: [{ promotionId: 'x', target: 'order', amount: 100 }],
      shipping: { amount: 1250, taxRate: 5000 },
    });
    expect(totals).toMatchObject({ subtotal: 0, discountTotal: 0, taxTotal: 63, total: 1313 });
    expect(totals.discounts).toEqual([{ promotionId: 'x', amount: 0 }]);
  });

  it.each([
    ['a negative unit price', { lines: [line('a', -1, 1, 0)] }],
    ['a zero quantity', { lines: [line('a', 100, 0, 0)] }],
    ['a fractional price', { lines: [line('a', 9.99, 1, 0)] }],
    ['a rate above 100%', { lines: [line('a', 100, 1, 100_001)] }],
    ['a repeated line id', { lines: [line('a', 100, 1, 0), line('a', 100, 1, 0)] }],
    [
      'a negative discount',
      { lines: [line('a', 100, 1, 0)], discounts: [{ promotionId: 'p', target: 'order', amount: -5 }] },
    ],
    [
      'a line discount on an unknown line',
      {
        lines: [line('a', 100, 1, 0)],
        discounts: [{ promotionId: 'p', target: 'lines', lines: [{ lineId: 'z', amount: 1 }] }],
      },
    ],
    ['a negative shipping amount', { lines: [], shipping: { amount: -1, taxRate: 0 } }],
  ] as [string, Partial<TotalsInput>][])('refuses %s (422 INVALID_TOTALS_INPUT)', (_label, input) => {
    expect(() => computeTotals({ currency: 'EUR', taxInclusive: false, lines: [], ...input })).toThrow(
      expect.objectContaining({ status: 422, code: 'INVALID_TOTALS_INPUT' }),
    );
  });

  it('refuses an unknown currency and an overflowing line', () => {
    expect(() => computeTotals({ currency: 'eur', taxInclusive: false, lines: [] })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_CURRENCY' }),
    );
    expect(() => computeTotals({ currency: 'EUR', taxInclusive: false, lines: [line('a', 2 ** 52, 4, 0)] })).toThrow(
      expect.objectContaining({ code: 'INVALID_MONEY' }),
    );
  });
});
