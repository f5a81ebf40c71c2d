import { describe, expect, it } from 'vitest';
import { type PricedOption, rateForProduct, shippingOptionsFor } from '../../src/modules/checkout/index.js';

describe('rateForProduct: the most specific category override wins', () => {
  // books ⊃ children's books; food ⊃ food/basic; DE standard 19%, books 7%, children's books 5%, food 7%.
  const rule = {
    rate: 19_000,
    overrides: [
      { categoryId: 'cat_books', rate: 7000 },
      { categoryId: 'cat_kids', rate: 5000 },
      { categoryId: 'cat_food', rate: 7000 },
      { categoryId: 'cat_basic', rate: 0 },
    ],
  };

  it('uses the standard rate for a product in no overridden category (or in none at all)', () => {
    expect(rateForProduct(rule, [['cat_toys']])).toBe(19_000);
    expect(rateForProduct(rule, [])).toBe(19_000);
  });

  it('inherits an override from an ancestor, and a deeper override beats it', () => {
    expect(rateForProduct(rule, [['cat_books', 'cat_novels']])).toBe(7000);
    expect(rateForProduct(rule, [['cat_books', 'cat_kids', 'cat_picture']])).toBe(5000);
  });

  it('across several categories the deepest override wins, whatever its rate', () => {
    // kids (depth 1) beats food (depth 0); basic and kids are equally deep, so the lower rate (basic's 0) wins.
    expect(rateForProduct(rule, [['cat_food'], ['cat_books', 'cat_kids']])).toBe(5000);
    expect(
      rateForProduct(rule, [
        ['cat_books', 'cat_kids'],
        ['cat_food', 'cat_basic', 'cat_x'],
      ]),
    ).toBe(0);
    expect(rateForProduct(rule, [['cat_toys', 'cat_y', 'cat_z'], ['cat_books']])).toBe(7000);
  });

  it('equally deep overrides: the lowest rate wins, in any order', () => {
    const tie = {
      rate: 20_000,
      overrides: [
        { categoryId: 'cat_a', rate: 12_000 },
        { categoryId: 'cat_b', rate: 6000 },
      ],
    };
    expect(rateForProduct(tie, [['cat_a'], ['cat_b']])).toBe(6000);
    expect(rateForProduct(tie, [['cat_b'], ['cat_a']])).toBe(6000);
  });
});

describe('shippingOptionsFor', () => {
  const options: PricedOption[] = [
    { id: 'so_flat', name: 'Standard', active: true, price: { kind: 'flat', amount: 490 } },
    { id: 'so_off', name: 'Old', active: false, price: { kind: 'flat', amount: 100 } },
    { id: 'so_free', name: 'Free over 50', active: true, price: { kind: 'free_above', amount: 590, threshold: 5000 } },
    {
      id: 'so_weight',
      name: 'Parcel',
      active: true,
      price: {
        kind: 'weight_bands',
        bands: [
          { maxGrams: 1000, amount: 399 },
          { maxGrams: 5000, amount: 699 },
        ],
      },
    },
  ];
  const priced = (subtotal: number, weightGrams: number) =>
    shippingOptionsFor(options, { subtotal, weightGrams }).map((o) => [o.id, o.amount]);

  it('skips inactive options and prices the rest', () => {
    expect(priced(4999, 1000)).toEqual([
      ['so_flat', 490],
      ['so_free', 590],
      ['so_weight', 399],
    ]);
  });

  it('makes free_above free from the threshold on (≥), compared with the discounted subtotal', () => {
    expect(priced(5000, 0)).toContainEqual(['so_free', 0]);
  });

  it('takes the first band that holds the weight, and drops the option above the last band', () => {
    expect(priced(0, 1001)).toContainEqual(['so_weight', 699]);
    expect(priced(0, 5000)).toContainEqual(['so_weight', 699]);
    expect(priced(0, 5001).map(([id]) => id)).toEqual(['so_flat', 'so_free']);
  });
});
