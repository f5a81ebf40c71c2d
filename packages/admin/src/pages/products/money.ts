/**
 * Typing prices: staff type major units ("19.99"), the API takes integer minor units (1999). Conversion is done on
 * the digits of the string, never through a float (0.1 + 0.2 is not 0.3), with each currency's ISO 4217 exponent.
 */

// The exponents that are not 2, copied from the server's list (src/platform/money.ts). Intl is not used for this:
// ICU shows some currencies (IQD, LAK…) with fewer decimals than banks and gateways settle in.
const NOT_TWO: Readonly<Record<string, number>> = Object.fromEntries([
  ...'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' ').map((c) => [c, 0]),
  ...'BHD IQD JOD KWD LYD OMR TND'.split(' ').map((c) => [c, 3]),
  ...'CLF UYW'.split(' ').map((c) => [c, 4]),
]);

/** Decimal places of a currency's minor unit (EUR 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  return NOT_TWO[currency] ?? 2;
}

/** The server's largest accepted amount (MAX_AMOUNT in src/platform/money.ts). */
export const MAX_AMOUNT = 45_000_000_000;

/** `1999, 'EUR'` → `"19.99"` (plain digits for an input field; display uses the Money component). */
export function formatAmount(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const negative = minor < 0;
  const s = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = digits === 0 ? s : s.slice(0, -digits);
  const frac = digits === 0 ? '' : `.${s.slice(-digits)}`;
  return `${negative ? '-' : ''}${whole}${frac}`;
}

export type ParsedAmount = { ok: true; minor: number } | { ok: false; message: string };

/**
 * `"19.99"`, `"19,99"`, `"19"` → 1999 for EUR. Refuses more decimals than the currency has (so a typo never gets
 * rounded away), negatives, and amounts above the server's maximum.
 */
export function parseAmount(text: string, currency: string): ParsedAmount {
  const t = text.trim().replace(',', '.');
  const digits = minorDigits(currency);
  const m = /^(\d{1,12})(?:\.(\d*))?$/.exec(t);
  if (!m) return { ok: false, message: 'must be an amount like 19.99' };
  const frac = m[2] ?? '';
  if (frac.length > digits) {
    return { ok: false, message: digits === 0 ? `${currency} has no decimals` : `at most ${digits} decimals` };
  }
  const minor = Number(`${m[1]}${frac.padEnd(digits, '0')}`);
  if (minor > MAX_AMOUNT) return { ok: false, message: 'is too large' };
  return { ok: true, minor };
}

/** A currency code as typed ("eur ") → "EUR", or undefined when it is not three letters. */
export function currencyCode(text: string): string | undefined {
  const c = text.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(c) ? c : undefined;
}
