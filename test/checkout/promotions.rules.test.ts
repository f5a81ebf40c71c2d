import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { choosePromotions, computeTotals, type PromotionCart } from '../../src/modules/checkout/index.js';
import type { PromotionRule } from '../../src/modules/checkout/promotions.rules.js';

/** The pure promotion rules (no database): validity, targeting, amounts, rounding and the combination choice. */

const now = new Date('2026-06-15T12:00:00Z');
let seq = 0;
const promo = (over: Partial<PromotionRule> = {}): PromotionRule => ({
  id: `promo_${String(++seq).padStart(4, '0')}`,
  code: null,
  kind: 'percentage',
  value: 1000,
  currency: null,
  target: 'order',
  targetIds: [],
  minSubtotal: null,
  startsAt: null,
  endsAt: null,
  usageLimit: null,
  perCustomerLimit: null,
  used: 0,
  customerUses: 0,
  combinable: false,
  ...over,
});
const cart = (over: Partial<PromotionCart> = {}): PromotionCart => {
  const lines = over.lines ?? [
    { lineId: 'l1', productId: 'prod_a', categoryIds: ['cat_shoes', 'cat_apparel'], subtotal: 6000 },
    { lineId: 'l2', productId: 'prod_b', categoryIds: ['cat_hats', 'cat_apparel'], subtotal: 4000 },
    { lineId: 'l3', productId: 'prod_c', categoryIds: ['cat_books'], subtotal: 1000 },
  ];
  return {
    currency: 'EUR',
    customerKey: 'cus_1',
    codes: [],
    subtotal: lines.reduce((a, l) => a + l.subtotal, 0),
    now,
    ...over,
    lines,
  };
};

describe('promotion rules', () => {
  it('accepts codes in any case and with spaces, and reports unknown ones as entered', () => {
    const p = promo({ code: 'SUMMER10' });
    const r = choosePromotions([p], cart({ codes: [' summer10 ', 'Nope'] }));
    expect(r.applied).toEqual([{ promotionId: p.id, code: 'SUMMER10', amount: 1100 }]);
    expect(r.discounts).toEqual([{ promotionId: p.id, target: 'order', amount: 1100 }]);
    expect(r.rejectedCodes).toEqual([{ code: 'Nope', reason: 'unknown' }]);
  });

  it('applies an automatic promotion without a code', () => {
    const p = promo({ kind: 'fixed', value: 500, currency: 'EUR' });
    expect(choosePromotions([p], cart()).applied).toEqual([{ promotionId: p.id, code: null, amount: 500 }]);
  });

  it('discounts only the listed products, split over their lines by subtotal', () => {
    const p = promo({
      target: 'products',
      targetIds: ['prod_a', 'prod_b'],
      kind: 'fixed',
      value: 1001,
      currency: 'EUR',
    });
    const r = choosePromotions([p], cart());
    expect(r.discounts).toEqual([
      {
        promotionId: p.id,
        target: 'lines',
        lines: [
          { lineId: 'l1', amount: 601 },
          { lineId: 'l2', amount: 400 },
        ],
      },
    ]);
    expect(r.applied[0]?.amount).toBe(1001);
  });

  it('discounts a category through its sub-categories (lines carry ancestor ids)', () => {
    const p = promo({ code: 'APPAREL', target: 'categories', targetIds: ['cat_apparel'], value: 2500 });
    const r = choosePromotions([p], cart({ codes: ['apparel'] }));
    expect(r.applied[0]?.amount).toBe(2500); // 25% of 6000 + 4000; books untouched
  });

  it('refuses a code whose products are not in the cart as not_applicable', () => {
    const p = promo({ code: 'SOCKS', target: 'products', targetIds: ['prod_socks'] });
    expect(choosePromotions([p], cart({ codes: ['SOCKS'] })).rejectedCodes).toEqual([
      { code: 'SOCKS', reason: 'not_applicable' },
    ]);
  });

  it('rounds a percentage half-up once, on the eligible base', () => {
    const lines = [{ lineId: 'x', productId: 'prod_x', categoryIds: [], subtotal: 333 }];
    const p = promo({ value: 1500 }); // 15% of 333 = 49.95
    expect(choosePromotions([p], cart({ lines })).applied[0]?.amount).toBe(50);
    const q = promo({ value: 1250 }); // 12.5% of 333 = 41.625
    expect(choosePromotions([q], cart({ lines })).applied[0]?.amount).toBe(42);
  });

  it('checks the minimum subtotal, dates, currency and usage, naming the reason', () => {
    const cases: [Partial<PromotionRule>, string][] = [
      [{ minSubtotal: 11_001, currency: 'EUR' }, 'minimum_not_met'],
      [{ startsAt: new Date('2026-06-16T00:00:00Z') }, 'not_started'],
      [{ endsAt: now }, 'expired'],
      [{ kind: 'fixed', value: 100, currency: 'USD' }, 'currency'],
      [{ usageLimit: 10, used: 10 }, 'usage_limit_reached'],
      [{ perCustomerLimit: 1, customerUses: 1 }, 'usage_limit_reached'],
    ];
    for (const [over, reason] of cases) {
      const r = choosePromotions([promo({ code: 'X1', ...over })], cart({ codes: ['x1'] }));
      expect(r, reason).toMatchObject({ applied: [], discounts: [], rejectedCodes: [{ code: 'x1', reason }] });
    }
    const ok = promo({ code: 'X2', minSubtotal: 11_000, currency: 'EUR', endsAt: new Date('2026-06-15T12:00:01Z') });
    expect(choosePromotions([ok], cart({ codes: ['X2'] })).applied).toHaveLength(1);
    // per-customer limits are not checked before the customer is known (redemption checks them)
    const guest = promo({ code: 'X3', perCustomerLimit: 1, customerUses: 1 });
    expect(choosePromotions([guest], cart({ codes: ['X3'], customerKey: null })).applied).toHaveLength(1);
  });

  it('applies only the biggest of several non-combinable promotions and refuses the rest as not_combinable', () => {
    const small = promo({ code: 'TEN', value: 1000 });
    const big = promo({ code: 'TWENTY', value: 2000 });
    const auto = promo({ kind: 'fixed', value: 100, currency: 'EUR' });
    const r = choosePromotions([small, big, auto], cart({ codes: ['ten', 'twenty'] }));
    expect(r.applied).toEqual([{ promotionId: big.id, code: 'TWENTY', amount: 2200 }]);
    expect(r.rejectedCodes).toEqual([{ code: 'ten', reason: 'not_combinable' }]);
  });

  it('stacks every combinable promotion, and prefers the stack only when it gives more than the best single one', () => {
    const a = promo({ code: 'A', value: 1000, combinable: true });
    const b = promo({ kind: 'fixed', value: 500, currency: 'EUR', combinable: true });
    const solo = promo({ code: 'SOLO', value: 1400 }); // 1540 alone
    const stacked = choosePromotions([a, b, solo], cart({ codes: ['A', 'SOLO'] }));
    expect(stacked.applied.map((x) => x.amount)).toEqual([1100, 500]); // 1600 together
    expect(stacked.rejectedCodes).toEqual([{ code: 'SOLO', reason: 'not_combinable' }]);
    const bigger = promo({ code: 'BIG', value: 2000 });
    const single = choosePromotions([a, b, bigger], cart({ codes: ['A', 'BIG'] }));
    expect(single.applied).toEqual([{ promotionId: bigger.id, code: 'BIG', amount: 2200 }]);
    expect(single.rejectedCodes).toEqual([{ code: 'A', reason: 'not_combinable' }]);
  });

  it('caps stacked promotions at the cart subtotal, reporting what each really takes', () => {
    const a = promo({ value: 6000, combinable: true });
    const b = promo({ value: 6000, combinable: true });
    const r = choosePromotions([a, b], cart());
    expect(r.applied.map((x) => x.amount)).toEqual([6600, 4400]);
  });
});

const ids = ['prod_a', 'prod_b', 'prod_c', 'prod_d'];
const cats = ['cat_1', 'cat_2', 'cat_3'];
const arbPromo = fc.record({
  id: fc.uuid().map((u) => `promo_${u}`),
  code: fc.constant(null),
  kind: fc.constantFrom('percentage' as const, 'fixed' as const),
  value: fc.integer({ min: 1, max: 10_000 }),
  currency: fc.constantFrom(null, 'EUR'),
  target: fc.constantFrom('order' as const, 'products' as const, 'categories' as const),
  targetIds: fc.subarray([...ids, ...cats], { minLength: 1 }),
  minSubtotal: fc.constant(null),
  startsAt: fc.constant(null),
  endsAt: fc.constant(null),
  usageLimit: fc.constant(null),
  perCustomerLimit: fc.constant(null),
  used: fc.constant(0),
  customerUses: fc.constant(0),
  combinable: fc.boolean(),
});
const arbLines = fc.array(
  fc.record({
    productId: fc.constantFrom(...ids),
    categoryIds: fc.subarray(cats),
    subtotal: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 10_000_000 })),
  }),
  { maxLength: 6 },
);

describe('promotion rules: properties', () => {
  it('never discounts below zero, above a promotion’s eligible subtotal, or above the cart subtotal', () => {
    fc.assert(
      fc.property(fc.array(arbPromo, { maxLength: 5 }), arbLines, (raw, rawLines) => {
        const promos = raw.map((p) => ({
          ...p,
          currency: p.kind === 'fixed' ? 'EUR' : p.currency,
          targetIds: p.target === 'order' ? [] : p.targetIds,
        }));
        const lines = rawLines.map((l, i) => ({ ...l, lineId: `l${i}` }));
        const c = cart({ lines });
        const r = choosePromotions(promos, c);
        let total = 0;
        for (const a of r.applied) {
          const p = promos.find((x) => x.id === a.promotionId) as PromotionRule;
          const eligible = lines
            .filter(
              (l) =>
                p.target === 'order' ||
                (p.target === 'products'
                  ? p.targetIds.includes(l.productId)
                  : l.categoryIds.some((x) => p.targetIds.includes(x))),
            )
            .reduce((acc, l) => acc + l.subtotal, 0);
          expect(a.amount).toBeGreaterThan(0);
          expect(a.amount).toBeLessThanOrEqual(eligible);
          total += a.amount;
        }
        expect(total).toBeLessThanOrEqual(c.subtotal);
        expect(
          r.applied.filter((a) => !promos.find((p) => p.id === a.promotionId)?.combinable).length,
        ).toBeLessThanOrEqual(r.applied.length === 1 ? 1 : 0);
        const totals = computeTotals({
          currency: 'EUR',
          taxInclusive: false,
          lines: lines.map((l) => ({ lineId: l.lineId, unitPrice: l.subtotal, quantity: 1, taxRate: 0 })),
          discounts: r.discounts,
        });
        expect(totals.discountTotal).toBe(total);
        expect(totals.discounts.map((d) => d.amount)).toEqual(r.applied.map((a) => a.amount));
      }),
      { numRuns: 300 },
    );
  });
});
