import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  currencyExponent,
  fromDecimalString,
  InvalidMoneyError,
  money,
  sum,
  toDecimalString,
} from '../money.js';

import { allCurrencies, amounts, anyWeights, bigAmount, codeOf, eur } from './money.fixtures.js';

describe('allocate', () => {
  it('splits 100 cents over three equal parts as 34, 33, 33', () => {
    expect(amounts(allocate(eur(100), [1, 1, 1]))).toEqual([34, 33, 33]);
  });

  it('splits -100 cents over three equal parts as -34, -33, -33', () => {
    expect(amounts(allocate(eur(-100), [1, 1, 1]))).toEqual([-34, -33, -33]);
  });

  it('gives the leftover cent to the largest remainder before the lower index', () => {
    // 100 × 1/3 = 33.33, 100 × 2/3 = 66.67: the second part has the larger remainder.
    expect(amounts(allocate(eur(100), [1, 2]))).toEqual([33, 67]);
  });

  it('breaks equal remainders toward the lower index', () => {
    expect(amounts(allocate(eur(5), [1, 1]))).toEqual([3, 2]);
    expect(amounts(allocate(eur(2), [1, 1, 1, 1]))).toEqual([1, 1, 0, 0]);
  });

  it('gives nothing to zero-weight parts', () => {
    expect(amounts(allocate(eur(100), [0, 1, 0]))).toEqual([0, 100, 0]);
  });

  it('splits evenly when every weight is zero', () => {
    expect(amounts(allocate(eur(10), [0, 0, 0]))).toEqual([4, 3, 3]);
  });

  it('keeps the currency on every part', () => {
    for (const part of allocate(money(1000, 'JPY'), [3, 7])) expect(part.currency).toBe('JPY');
  });

  it('splits the largest safe amount without overflow', () => {
    const parts = allocate(eur(Number.MAX_SAFE_INTEGER), [1_000_000, 999_999, 1]);
    expect(sum('EUR', parts)).toEqual(eur(Number.MAX_SAFE_INTEGER));
  });

  it('throws INVALID_MONEY for empty, negative or fractional weights', () => {
    expect(codeOf(() => allocate(eur(100), []))).toBe('INVALID_MONEY');
    expect(codeOf(() => allocate(eur(100), [1, -1]))).toBe('INVALID_MONEY');
    expect(codeOf(() => allocate(eur(100), [0.5, 0.5]))).toBe('INVALID_MONEY');
    expect(codeOf(() => allocate(eur(100), [Number.NaN]))).toBe('INVALID_MONEY');
  });

  it('always sums exactly to the amount', () => {
    fc.assert(
      fc.property(bigAmount, anyWeights, (a, weights) => {
        const parts = allocate(eur(a), weights);
        expect(parts).toHaveLength(weights.length);
        expect(sum('EUR', parts)).toEqual(eur(a));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every part within one minor unit of its exact proportional share', () => {
    fc.assert(
      fc.property(bigAmount, anyWeights, (a, weights) => {
        const effective = weights.every((w) => w === 0) ? weights.map(() => 1) : weights;
        const total = BigInt(effective.reduce((acc, w) => acc + w, 0));
        allocate(eur(a), weights).forEach((part, i) => {
          // |part − a·w/total| < 1  ⇔  |part·total − a·w| < total
          const diff = BigInt(part.amount) * total - BigInt(a) * BigInt(effective[i] as number);
          expect(diff < total && diff > -total).toBe(true);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(bigAmount, anyWeights, (a, weights) => {
        expect(allocate(eur(a), weights)).toEqual(allocate(eur(a), [...weights]));
      }),
    );
  });

  it('allocates a negative amount as the negation of the positive one', () => {
    fc.assert(
      fc.property(bigAmount, anyWeights, (a, weights) => {
        expect(amounts(allocate(eur(-a), weights))).toEqual(amounts(allocate(eur(a), weights)).map((x) => -x || 0));
      }),
    );
  });
});

describe('decimal strings', () => {
  it.each([
    [1999, 'EUR', '19.99'],
    [1000, 'JPY', '1000'],
    [1234, 'KWD', '1.234'],
    [-50, 'EUR', '-0.50'],
    [5, 'EUR', '0.05'],
    [0, 'EUR', '0.00'],
    [-7, 'JPY', '-7'],
    [12345, 'CLF', '1.2345'],
    [1, 'UYW', '0.0001'],
  ])('formats %i %s as "%s" and parses it back', (amount, currency, text) => {
    expect(toDecimalString(money(amount, currency))).toBe(text);
    expect(fromDecimalString(text, currency)).toEqual(money(amount, currency));
  });

  it('pads missing fraction digits when parsing', () => {
    expect(fromDecimalString('19.9', 'EUR')).toEqual(eur(1990));
    expect(fromDecimalString('19', 'EUR')).toEqual(eur(1900));
    expect(fromDecimalString('007.50', 'EUR')).toEqual(eur(750));
    expect(fromDecimalString('1.2', 'KWD')).toEqual(money(1200, 'KWD'));
  });

  it('rejects 19.999 EUR because EUR has only two fraction digits', () => {
    expect(() => fromDecimalString('19.999', 'EUR')).toThrow(InvalidMoneyError);
    expect(codeOf(() => fromDecimalString('19.990', 'EUR'))).toBe('INVALID_MONEY');
    expect(codeOf(() => fromDecimalString('1000.5', 'JPY'))).toBe('INVALID_MONEY');
    expect(codeOf(() => fromDecimalString('1.2345', 'KWD'))).toBe('INVALID_MONEY');
  });

  it('rejects exponent notation, signs, spaces, separators and non-numeric text', () => {
    const bad = ['1e3', '1E3', '1.5e2', '+1.00', ' 1.00', '1.00 ', '1,00', '1 000', '1.', '.5', '-', '', 'abc'];
    bad.push('0x10', 'NaN', 'Infinity', '--1', '1.2.3', '١٢'); // the last is Arabic-Indic digits, which \d must not match
    for (const text of bad)
      expect([text, codeOf(() => fromDecimalString(text, 'EUR'))]).toEqual([text, 'INVALID_MONEY']);
  });

  it('rejects amounts beyond the safe-integer range', () => {
    expect(fromDecimalString('90071992547409.91', 'EUR').amount).toBe(Number.MAX_SAFE_INTEGER);
    expect(codeOf(() => fromDecimalString('90071992547409.92', 'EUR'))).toBe('INVALID_MONEY');
    expect(codeOf(() => fromDecimalString('-90071992547409.92', 'EUR'))).toBe('INVALID_MONEY');
    expect(codeOf(() => fromDecimalString('1'.repeat(400), 'EUR'))).toBe('INVALID_MONEY');
  });

  it('throws UNKNOWN_CURRENCY for an unknown currency', () => {
    expect(codeOf(() => fromDecimalString('1.00', 'XYZ'))).toBe('UNKNOWN_CURRENCY');
    expect(codeOf(() => toDecimalString({ amount: 100, currency: 'eur' }))).toBe('UNKNOWN_CURRENCY');
  });

  it('round-trips every amount in every currency', () => {
    fc.assert(
      fc.property(fc.constantFrom(...allCurrencies), fc.maxSafeInteger(), (currency, amount) => {
        const m = money(amount, currency);
        const text = toDecimalString(m);
        expect(text).toMatch(currencyExponent(currency) === 0 ? /^-?\d+$/ : /^-?\d+\.\d+$/);
        expect(fromDecimalString(text, currency)).toEqual(m);
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips canonical decimal strings for every exponent', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...allCurrencies),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.boolean(),
        (currency, units, negative) => {
          const exponent = currencyExponent(currency);
          const digits = units.toString().padStart(exponent + 1, '0');
          const text =
            (negative && units > 0n ? '-' : '') +
            (exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`);
          expect(toDecimalString(fromDecimalString(text, currency))).toBe(text);
        },
      ),
    );
  });
});
