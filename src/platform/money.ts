/**
 * Money is an integer count of a currency's minor units plus an ISO 4217 code — never a float, which cannot even hold
 * 0.10. Results that would leave the safe-integer range throw rather than silently lose a cent; scaling and splitting
 * run in BigInt so intermediate products (amount × rate) stay exact. Every function validates the Money it is given:
 * an unknown currency throws {@link UnknownCurrencyError}, a non-safe-integer amount {@link InvalidMoneyError}.
 * Errors are {@link AppError}s with status 422, so a bad amount in a request becomes problem+json, not a 500.
 */
import { AppError } from './errors.js';

/** An amount in minor units (a safe integer: cents for EUR, yen for JPY, fils for KWD) of an uppercase ISO 4217 currency. */
export interface Money {
  amount: number;
  currency: string;
}

/**
 * How to round a result that falls between two minor units. `half_up` rounds .5 away from zero, `half_even` rounds
 * .5 to the even neighbour (banker's rounding), `down` truncates toward zero, `up` rounds away from zero, `floor`
 * toward −∞ and `ceil` toward +∞. Non-tie cases of the `half_*` modes go to the nearest unit.
 */
export const roundingModes = ['half_up', 'half_even', 'down', 'up', 'floor', 'ceil'] as const;

/** One of {@link roundingModes}. */
export type RoundingMode = (typeof roundingModes)[number];

/** Thrown for a currency code that is not in {@link currencyExponents} (codes are case-sensitive: `eur` is unknown). */
export class UnknownCurrencyError extends AppError {
  override readonly code = 'UNKNOWN_CURRENCY';
  constructor(readonly currency: string) {
    super(422, 'UNKNOWN_CURRENCY', 'Unknown currency', {
      detail: `${JSON.stringify(currency.slice(0, 16))} is not a supported ISO 4217 currency code.`,
      extensions: { currency: currency.slice(0, 16) },
    });
  }
}

/** Thrown when two amounts in different currencies are combined or compared. */
export class CurrencyMismatchError extends AppError {
  override readonly code = 'CURRENCY_MISMATCH';
  constructor(
    readonly left: string,
    readonly right: string,
  ) {
    super(422, 'CURRENCY_MISMATCH', 'Currency mismatch', {
      detail: `Cannot combine ${left} with ${right}.`,
      extensions: { currencies: [left, right] },
    });
  }
}

/** Thrown for an amount or argument that is not a safe integer, a result that would overflow, or an unparsable amount. */
export class InvalidMoneyError extends AppError {
  override readonly code = 'INVALID_MONEY';
  constructor(detail: string) {
    super(422, 'INVALID_MONEY', 'Invalid money amount', { detail });
  }
}

// Transcribed from ISO 4217 list one (minor-unit column), not read from Intl: ICU changes digits for display (it
// shows IQD, LAK, etc. with 0 decimals) while gateways and banks settle in the ISO exponent. Transitional codes
// (ANG/XCG, SLL/SLE, BGN) are kept while gateways still emit them. Codes without a minor unit (XAU, XDR, …) are absent.
const BY_EXPONENT: Readonly<Record<number, string>> = {
  0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
  2:
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE ' +
    'CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL ' +
    'HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR ' +
    'MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK ' +
    'SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST ' +
    'XCD XCG YER ZAR ZMW ZWG',
  3: 'BHD IQD JOD KWD LYD OMR TND',
  4: 'CLF UYW',
};

/**
 * The largest amount of money the API accepts as written (a price, a shipping rate, a fixed discount, a refund):
 * 45,000,000,000 minor units (450 million EUR). The totals engine refuses any result past 2^53 − 1, and a cart can
 * hold 100 lines of 999 units, taxed at up to 100 %, plus shipping: 2 × (100 × 999 + 1) × 45e9 ≈ 8.99e15 stays under
 * 9.007e15, so every cart the storefront lets a shopper build can still be totalled.
 */
export const MAX_AMOUNT = 45_000_000_000;

/** ISO 4217 minor-unit exponent per currency code: an amount of `n` minor units is worth `n / 10^exponent` major units. */
export const currencyExponents: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(
    Object.entries(BY_EXPONENT).flatMap(([exponent, codes]) => codes.split(' ').map((c) => [c, Number(exponent)])),
  ),
);

/** Whether `code` is a supported ISO 4217 code (exact uppercase match). Never throws. */
export function isCurrency(code: string): boolean {
  // hasOwn, so that 'constructor' or '__proto__' never pass as currencies.
  return typeof code === 'string' && Object.hasOwn(currencyExponents, code);
}

/**
 * The number of decimal places of `code`'s minor unit (JPY 0, EUR 2, KWD 3, CLF 4).
 * @throws {UnknownCurrencyError} if `code` is not supported.
 */
export function currencyExponent(code: string): number {
  const exponent = isCurrency(code) ? currencyExponents[code] : undefined;
  if (exponent === undefined) throw new UnknownCurrencyError(String(code));
  return exponent;
}

/**
 * Builds a validated Money from an amount in minor units (`money(1999, 'EUR')` is €19.99).
 * @throws {UnknownCurrencyError} if the currency is not supported.
 * @throws {InvalidMoneyError} if `amount` is not a safe integer.
 */
export function money(amount: number, currency: string): Money {
  currencyExponent(currency);
  return make(amount, currency);
}

/**
 * A zero amount in `currency`.
 * @throws {UnknownCurrencyError} if the currency is not supported.
 */
export function zero(currency: string): Money {
  return money(0, currency);
}

/**
 * `a + b`.
 * @throws {CurrencyMismatchError} if the currencies differ.
 * @throws {InvalidMoneyError} if an operand is invalid or the sum is not a safe integer.
 */
export function add(a: Money, b: Money): Money {
  const currency = sameCurrency(a, b);
  return make(a.amount + b.amount, currency);
}

/**
 * `a − b`.
 * @throws {CurrencyMismatchError} if the currencies differ.
 * @throws {InvalidMoneyError} if an operand is invalid or the difference is not a safe integer.
 */
export function subtract(a: Money, b: Money): Money {
  const currency = sameCurrency(a, b);
  return make(a.amount - b.amount, currency);
}

/**
 * Adds every amount in `list`; an empty list gives `zero(currency)`. `currency` is explicit so that an empty cart
 * still has a currency.
 * @throws {UnknownCurrencyError} if `currency` is not supported.
 * @throws {CurrencyMismatchError} if any amount is in another currency.
 * @throws {InvalidMoneyError} if an amount is invalid or the total is not a safe integer.
 */
export function sum(currency: string, list: Iterable<Money>): Money {
  let total = zero(currency);
  for (const m of list) total = add(total, m);
  return total;
}

/**
 * `m × quantity` for an integer quantity (e.g. unit price × line quantity). Fractional factors go through
 * {@link multiplyRatio} or {@link percentage}, which round explicitly.
 * @throws {InvalidMoneyError} if `m` is invalid, `quantity` is not a safe integer, or the product overflows.
 */
export function multiply(m: Money, quantity: number): Money {
  assertMoney(m);
  if (!Number.isSafeInteger(quantity)) throw new InvalidMoneyError(`Quantity ${quantity} is not a safe integer.`);
  return make(m.amount * quantity, m.currency);
}

/**
 * `−m`.
 * @throws {InvalidMoneyError} if `m` is invalid.
 */
export function negate(m: Money): Money {
  assertMoney(m);
  return make(-m.amount, m.currency);
}

/**
 * Whether `m` is exactly zero.
 * @throws {InvalidMoneyError} if `m` is invalid.
 */
export function isZero(m: Money): boolean {
  assertMoney(m);
  return m.amount === 0;
}

/**
 * -1, 0 or 1 as `a` is less than, equal to or greater than `b` (usable as an `Array.prototype.sort` comparator).
 * @throws {CurrencyMismatchError} if the currencies differ.
 * @throws {InvalidMoneyError} if an operand is invalid.
 */
export function compare(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b);
  return a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0;
}

/**
 * `m × numerator / denominator`, rounded once with `rounding`. For rates that basis points cannot express exactly,
 * e.g. an 8.875% sales tax is `multiplyRatio(m, 8875, 100_000, 'half_even')`.
 * @throws {InvalidMoneyError} if `m` is invalid, `numerator` is not a safe integer, `denominator` is not a positive
 *   safe integer, `rounding` is not a {@link RoundingMode}, or the result is not a safe integer.
 */
export function multiplyRatio(m: Money, numerator: number, denominator: number, rounding: RoundingMode): Money {
  assertMoney(m);
  if (!Number.isSafeInteger(numerator)) throw new InvalidMoneyError(`Numerator ${numerator} is not a safe integer.`);
  if (!Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new InvalidMoneyError(`Denominator ${denominator} is not a positive safe integer.`);
  }
  if (!(roundingModes as readonly string[]).includes(rounding)) {
    throw new InvalidMoneyError(`Unknown rounding mode ${JSON.stringify(rounding)}.`);
  }
  return make(Number(divRound(BigInt(m.amount) * BigInt(numerator), BigInt(denominator), rounding)), m.currency);
}

/**
 * `basisPoints / 100` percent of `m`, rounded once with `rounding`: 1 bp = 0.01%, so 2000 is 20% and 10000 is
 * 100% (which returns `m` unchanged). Negative basis points give a result of the opposite sign.
 * @throws {InvalidMoneyError} if `m` is invalid, `basisPoints` is not a safe integer, `rounding` is not a
 *   {@link RoundingMode}, or the result is not a safe integer.
 */
export function percentage(m: Money, basisPoints: number, rounding: RoundingMode): Money {
  if (!Number.isSafeInteger(basisPoints)) throw new InvalidMoneyError(`${basisPoints} basis points is not an integer.`);
  return multiplyRatio(m, basisPoints, 10_000, rounding);
}

/**
 * Splits `m` into `weights.length` parts proportional to `weights` by the largest-remainder (Hamilton) method: each
 * part gets ⌊|amount| × w / Σw⌋ and the leftover minor units go one each to the largest remainders, ties to the lower
 * index. The parts always sum to exactly `m`, each is within one minor unit of its exact share, and the result
 * depends only on the inputs. Negative amounts split |amount| and negate. All-zero weights split evenly (a
 * zero-valued basket still has to be divided somehow) rather than throwing.
 * @throws {InvalidMoneyError} if `m` is invalid, `weights` is empty, or a weight is not a non-negative safe integer.
 */
export function allocate(m: Money, weights: readonly number[]): Money[] {
  assertMoney(m);
  if (weights.length === 0) throw new InvalidMoneyError('Cannot allocate over an empty list of weights.');
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0)
      throw new InvalidMoneyError(`Weight ${w} is not a non-negative safe integer.`);
  }
  const ws = weights.every((w) => w === 0) ? weights.map(() => 1n) : weights.map((w) => BigInt(w));
  const total = ws.reduce((acc, w) => acc + w, 0n);
  const abs = BigInt(Math.abs(m.amount));
  const shares = ws.map((w, index) => ({ index, units: (abs * w) / total, remainder: (abs * w) % total }));
  // Fewer leftover units than parts with a non-zero remainder, so no part exceeds its exact share by a whole unit.
  let leftover = abs - shares.reduce((acc, s) => acc + s.units, 0n);
  const byRemainder = [...shares].sort((x, y) =>
    x.remainder === y.remainder ? x.index - y.index : x.remainder > y.remainder ? -1 : 1,
  );
  for (const share of byRemainder) {
    if (leftover === 0n) break;
    share.units += 1n;
    leftover -= 1n;
  }
  const sign = m.amount < 0 ? -1n : 1n;
  return shares.map((s) => make(Number(sign * s.units), m.currency));
}

/**
 * Formats `m` in major units with exactly `exponent` fraction digits and no grouping or symbol: "19.99" (EUR),
 * "1000" (JPY), "1.234" (KWD), "-0.50". The format {@link fromDecimalString} parses and PayPal-style gateways expect.
 * @throws {UnknownCurrencyError} if the currency is not supported.
 * @throws {InvalidMoneyError} if the amount is not a safe integer.
 */
export function toDecimalString(m: Money): string {
  const exponent = assertMoney(m);
  const digits = String(Math.abs(m.amount)).padStart(exponent + 1, '0');
  const sign = m.amount < 0 ? '-' : '';
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses an exact decimal amount in major units ("19.99", "19.9", "19", "-0.50") into minor units of `currency`.
 * Only `-?digits(.digits)?` is accepted: no `+`, whitespace, grouping, exponent notation, or bare "." ends, and no
 * more fraction digits than the currency's exponent — even zeros ("19.990" EUR), since those hint at a wrong currency.
 * @throws {UnknownCurrencyError} if the currency is not supported.
 * @throws {InvalidMoneyError} if the string is not in that format, has too many fraction digits, or the amount is
 *   not a safe integer.
 */
export function fromDecimalString(value: string, currency: string): Money {
  const exponent = currencyExponent(currency);
  const match = typeof value === 'string' ? DECIMAL.exec(value) : null;
  const quoted = JSON.stringify(String(value).slice(0, 40));
  if (!match) throw new InvalidMoneyError(`${quoted} is not a plain decimal amount.`);
  const [, sign = '', whole = '', fraction = ''] = match;
  if (fraction.length > exponent) {
    throw new InvalidMoneyError(`${quoted} has more than ${exponent} fraction digits allowed for ${currency}.`);
  }
  const units = BigInt(whole + fraction.padEnd(exponent, '0'));
  return make(Number(sign === '-' ? -units : units), currency);
}

// Number() of a bigint beyond 2^53 rounds to ≥ 2^53, and a double sum or product of safe integers whose true value
// passes 2^53 does the same, so this one safe-integer check catches every overflow.
function make(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount)) {
    throw new InvalidMoneyError(`${amount} ${currency} is not a safe integer of minor units (overflow?).`);
  }
  // Normalise -0 so negate(zero) and 0 × -1 equal zero everywhere (Object.is, toEqual).
  return { amount: amount === 0 ? 0 : amount, currency };
}

function assertMoney(m: Money): number {
  const exponent = currencyExponent(m.currency);
  if (!Number.isSafeInteger(m.amount)) {
    throw new InvalidMoneyError(`${m.amount} ${m.currency} is not a safe integer of minor units.`);
  }
  return exponent;
}

function sameCurrency(a: Money, b: Money): string {
  assertMoney(a);
  assertMoney(b);
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return a.currency;
}

/** `n / d` rounded per `mode`, for `d` > 0. BigInt division truncates toward zero, so `q` is already the 'down' result. */
function divRound(n: bigint, d: bigint, mode: RoundingMode): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n || mode === 'down') return q;
  const away = n < 0n ? q - 1n : q + 1n;
  if (mode === 'up') return away;
  if (mode === 'floor') return n < 0n ? away : q;
  if (mode === 'ceil') return n < 0n ? q : away;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice !== d) return twice > d ? away : q;
  return mode === 'half_up' || q % 2n !== 0n ? away : q;
}
