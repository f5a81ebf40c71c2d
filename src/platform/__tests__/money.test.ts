import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  add,
  CurrencyMismatchError,
  compare,
  currencyExponent,
  currencyExponents,
  fromDecimalString,
  InvalidMoneyError,
  isCurrency,
  isZero,
  type Money,
  money,
  multiply,
  multiplyRatio,
  negate,
  percentage,
  type RoundingMode,
  roundingModes,
  subtract,
  sum,
  toDecimalString,
  UnknownCurrencyError,
  zero,
} from '../money.js';

import { allCurrencies, bigAmount, codeOf, eur } from './money.fixtures.js';

describe('currency table', () => {
  it('gives JPY exponent 0, EUR 2, KWD 3 and CLF 4', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('CLF')).toBe(4);
  });

  it('lists every zero-, three- and four-decimal currency with its ISO exponent', () => {
    const expected: Record<number, string[]> = {
      0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' '),
      3: 'BHD IQD JOD KWD LYD OMR TND'.split(' '),
      4: ['CLF', 'UYW'],
    };
    for (const [exponent, codes] of Object.entries(expected)) {
      for (const code of codes) expect([code, currencyExponent(code)]).toEqual([code, Number(exponent)]);
    }
    const odd = allCurrencies.filter((c) => currencyExponent(c) !== 2).sort();
    expect(odd).toEqual(Object.values(expected).flat().sort());
  });

  it('knows the common two-decimal currencies', () => {
    const common =
      'EUR USD GBP CHF CAD AUD NZD SEK NOK DKK PLN CZK HUF RON BGN TRY INR CNY HKD SGD BRL MXN ZAR AED SAR ILS THB ' +
      'MYR IDR PHP TWD';
    for (const code of common.split(' ')) expect([code, currencyExponent(code)]).toEqual([code, 2]);
  });

  it('holds only three-letter uppercase codes and cannot be modified', () => {
    for (const code of allCurrencies) expect(code).toMatch(/^[A-Z]{3}$/);
    expect(Object.isFrozen(currencyExponents)).toBe(true);
  });

  it('throws UNKNOWN_CURRENCY naming the code for an unknown currency', () => {
    const err = (() => {
      try {
        currencyExponent('XYZ');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UnknownCurrencyError);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'UNKNOWN_CURRENCY', currency: 'XYZ', status: 422 });
  });

  it('treats lowercase codes and Object.prototype keys as unknown', () => {
    for (const code of ['eur', 'Eur', '', 'EURO', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(isCurrency(code)).toBe(false);
      expect(codeOf(() => currencyExponent(code))).toBe('UNKNOWN_CURRENCY');
    }
    expect(isCurrency('EUR')).toBe(true);
  });
});

describe('money and zero', () => {
  it('builds a Money from minor units', () => {
    expect(money(1999, 'EUR')).toEqual({ amount: 1999, currency: 'EUR' });
    expect(zero('JPY')).toEqual({ amount: 0, currency: 'JPY' });
  });

  it('rejects fractional, non-finite and unsafe amounts with INVALID_MONEY', () => {
    for (const bad of [1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 53)]) {
      expect(codeOf(() => money(bad, 'EUR'))).toBe('INVALID_MONEY');
    }
    expect(() => money(1.5, 'EUR')).toThrow(InvalidMoneyError);
    expect(money(Number.MAX_SAFE_INTEGER, 'EUR').amount).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects an unknown currency with UNKNOWN_CURRENCY', () => {
    expect(codeOf(() => money(100, 'XYZ'))).toBe('UNKNOWN_CURRENCY');
    expect(codeOf(() => zero('usd'))).toBe('UNKNOWN_CURRENCY');
  });

  it('never produces negative zero', () => {
    expect(Object.is(money(-0, 'EUR').amount, 0)).toBe(true);
    expect(Object.is(negate(zero('EUR')).amount, 0)).toBe(true);
    expect(Object.is(multiply(zero('EUR'), -3).amount, 0)).toBe(true);
    expect(Object.is(fromDecimalString('-0.00', 'EUR').amount, 0)).toBe(true);
  });
});

describe('arithmetic', () => {
  it('adds and subtracts same-currency amounts', () => {
    expect(add(eur(1999), eur(1))).toEqual(eur(2000));
    expect(subtract(eur(100), eur(250))).toEqual(eur(-150));
  });

  it('throws CURRENCY_MISMATCH when adding, subtracting or comparing different currencies', () => {
    const err = (() => {
      try {
        add(eur(1), money(1, 'USD'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CurrencyMismatchError);
    expect(err).toMatchObject({ code: 'CURRENCY_MISMATCH', left: 'EUR', right: 'USD' });
    expect(codeOf(() => subtract(eur(1), money(1, 'USD')))).toBe('CURRENCY_MISMATCH');
    expect(codeOf(() => compare(eur(1), money(1, 'USD')))).toBe('CURRENCY_MISMATCH');
  });

  it('throws INVALID_MONEY when a sum or difference leaves the safe-integer range', () => {
    const max = eur(Number.MAX_SAFE_INTEGER);
    expect(codeOf(() => add(max, eur(1)))).toBe('INVALID_MONEY');
    expect(codeOf(() => subtract(negate(max), eur(1)))).toBe('INVALID_MONEY');
    expect(add(max, eur(-1)).amount).toBe(Number.MAX_SAFE_INTEGER - 1);
  });

  it('rejects a hand-built Money with a float amount or unknown currency', () => {
    expect(codeOf(() => add({ amount: 0.1, currency: 'EUR' }, eur(1)))).toBe('INVALID_MONEY');
    expect(codeOf(() => add({ amount: 1, currency: 'XYZ' }, { amount: 1, currency: 'XYZ' }))).toBe('UNKNOWN_CURRENCY');
    expect(codeOf(() => toDecimalString({ amount: 1.5, currency: 'EUR' }))).toBe('INVALID_MONEY');
  });

  it('sums a list, giving zero for an empty list', () => {
    expect(sum('EUR', [eur(100), eur(250), eur(-50)])).toEqual(eur(300));
    expect(sum('KWD', [])).toEqual(zero('KWD'));
    expect(codeOf(() => sum('EUR', [eur(1), money(1, 'USD')]))).toBe('CURRENCY_MISMATCH');
    expect(codeOf(() => sum('USD', [eur(1)]))).toBe('CURRENCY_MISMATCH');
    expect(codeOf(() => sum('XYZ', []))).toBe('UNKNOWN_CURRENCY');
  });

  it('multiplies by an integer quantity and rejects fractional quantities or overflow', () => {
    expect(multiply(eur(1999), 3)).toEqual(eur(5997));
    expect(multiply(eur(1999), -2)).toEqual(eur(-3998));
    expect(codeOf(() => multiply(eur(100), 1.5))).toBe('INVALID_MONEY');
    expect(codeOf(() => multiply(eur(2 ** 30), 2 ** 30))).toBe('INVALID_MONEY');
  });

  it('compares with -1, 0 and 1 and reports zero', () => {
    expect(compare(eur(1), eur(2))).toBe(-1);
    expect(compare(eur(2), eur(2))).toBe(0);
    expect(compare(eur(3), eur(2))).toBe(1);
    expect([eur(3), eur(-1), eur(2)].sort(compare)).toEqual([eur(-1), eur(2), eur(3)]);
    expect(isZero(zero('EUR'))).toBe(true);
    expect(isZero(eur(-1))).toBe(false);
  });

  it('keeps add and subtract inverse to each other', () => {
    const amount = fc.integer({ min: -(2 ** 51), max: 2 ** 51 });
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        expect(subtract(add(eur(a), eur(b)), eur(b))).toEqual(eur(a));
        expect(add(subtract(eur(a), eur(b)), eur(b))).toEqual(eur(a));
      }),
    );
  });

  it('multiplies by q exactly as q repeated additions', () => {
    fc.assert(
      fc.property(bigAmount, fc.integer({ min: 0, max: 30 }), (a, q) => {
        expect(multiply(eur(a), q)).toEqual(sum('EUR', new Array<Money>(q).fill(eur(a))));
      }),
    );
  });
});

describe('percentage and multiplyRatio', () => {
  it('takes 20% VAT of 19.99 EUR as 4.00 rounding half up and 3.99 rounding down', () => {
    expect(percentage(eur(1999), 2000, 'half_up')).toEqual(eur(400));
    expect(percentage(eur(1999), 2000, 'down')).toEqual(eur(399));
  });

  // 25 minor units × 10% = 2.5 and -2.5: the tie shows every mode's direction.
  const ties: [RoundingMode, number, number][] = [
    ['half_up', 3, -3],
    ['half_even', 2, -2],
    ['down', 2, -2],
    ['up', 3, -3],
    ['floor', 2, -3],
    ['ceil', 3, -2],
  ];
  it.each(ties)('rounds 2.5 and -2.5 %s to %i and %i', (mode, pos, neg) => {
    expect(percentage(eur(25), 1000, mode).amount).toBe(pos);
    expect(percentage(eur(-25), 1000, mode).amount).toBe(neg);
  });

  it('rounds 3.5 half_even to 4 and non-ties to the nearest unit in both half modes', () => {
    expect(percentage(eur(35), 1000, 'half_even').amount).toBe(4);
    expect(percentage(eur(-35), 1000, 'half_even').amount).toBe(-4);
    for (const mode of ['half_up', 'half_even'] as const) {
      expect(percentage(eur(26), 1000, mode).amount).toBe(3); // 2.6
      expect(percentage(eur(24), 1000, mode).amount).toBe(2); // 2.4
      expect(percentage(eur(-26), 1000, mode).amount).toBe(-3);
    }
  });

  it('leaves exact results alone in every mode', () => {
    for (const mode of roundingModes) expect(percentage(eur(-2000), 1500, mode)).toEqual(eur(-300));
  });

  it('computes an 8.875% sales tax exactly with a ratio', () => {
    expect(multiplyRatio(money(1000, 'USD'), 8875, 100_000, 'half_even')).toEqual(money(89, 'USD')); // 88.75
    expect(multiplyRatio(money(1000, 'USD'), 8875, 100_000, 'down')).toEqual(money(88, 'USD'));
  });

  it('stays exact where a float product would lose precision', () => {
    // 9007199254740991 × 9999 exceeds 2^53 before the division; BigInt keeps it exact.
    const max = eur(Number.MAX_SAFE_INTEGER);
    expect(percentage(max, 9999, 'down').amount).toBe(Number((BigInt(Number.MAX_SAFE_INTEGER) * 9999n) / 10000n));
  });

  it('rejects non-integer basis points, bad denominators, unknown modes and overflowing results', () => {
    expect(codeOf(() => percentage(eur(100), 12.5, 'half_up'))).toBe('INVALID_MONEY');
    expect(codeOf(() => multiplyRatio(eur(100), 1, 0, 'half_up'))).toBe('INVALID_MONEY');
    expect(codeOf(() => multiplyRatio(eur(100), 1, -2, 'half_up'))).toBe('INVALID_MONEY');
    expect(codeOf(() => percentage(eur(100), 2000, 'bankers' as RoundingMode))).toBe('INVALID_MONEY');
    expect(codeOf(() => percentage(eur(Number.MAX_SAFE_INTEGER), 20_000, 'down'))).toBe('INVALID_MONEY');
  });

  it('returns the amount unchanged at 10000 basis points in every mode', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom(...roundingModes), (a, mode) => {
        expect(percentage(eur(a), 10_000, mode)).toEqual(eur(a));
      }),
    );
  });

  it('differs between half_even and half_up only on exact .5 ties, and then by one unit', () => {
    fc.assert(
      fc.property(bigAmount, fc.integer({ min: -20_000, max: 20_000 }), (a, bps) => {
        const even = percentage(eur(a), bps, 'half_even').amount;
        const up = percentage(eur(a), bps, 'half_up').amount;
        const remainder = (BigInt(a) * BigInt(bps)) % 10_000n;
        const tie = remainder === 5000n || remainder === -5000n;
        if (!tie) expect(even).toBe(up);
        else expect(Math.abs(even - up)).toBeLessThanOrEqual(1);
        // `% 2` of a negative even number is -0, which toBe (Object.is) tells apart from 0: compare with ===.
        if (even !== up) expect(even % 2 === 0).toBe(true);
      }),
    );
  });

  it('orders the modes floor ≤ down/half/up ≤ ceil and stays within one unit of the exact value', () => {
    fc.assert(
      fc.property(bigAmount, fc.integer({ min: -1_000_000, max: 1_000_000 }), (a, bps) => {
        const r = Object.fromEntries(roundingModes.map((mode) => [mode, percentage(eur(a), bps, mode).amount]));
        const exact = BigInt(a) * BigInt(bps); // the true result × 10000
        for (const mode of roundingModes) {
          const value = r[mode] as number;
          expect(value).toBeGreaterThanOrEqual(r.floor as number);
          expect(value).toBeLessThanOrEqual(r.ceil as number);
          const error = BigInt(value) * 10_000n - exact;
          expect(error < 10_000n && error > -10_000n).toBe(true);
        }
        expect((r.ceil as number) - (r.floor as number)).toBe(exact % 10_000n === 0n ? 0 : 1);
      }),
    );
  });
});
