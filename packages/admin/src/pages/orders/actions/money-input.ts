/**
 * Amounts typed by staff ("12.5", "12,50", "1 200.00") → integer minor units of the currency, without floats:
 * the API takes `{ amount, currency }` in minor units, and a float round trip (12.29 * 100 = 1228.9999…) would send
 * one cent less than what was typed.
 */

/** How many decimals the currency has (EUR 2, JPY 0, KWD 3), as the browser's Intl data says. */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Minor units for `text`, or an error message naming what is wrong with it. */
export function parseMoneyInput(text: string, currency: string): { amount: number } | { error: string } {
  const digits = currencyDigits(currency);
  const cleaned = text.trim().replace(/[\s\u00a0']/g, '');
  // One decimal separator (either '.' or ','), digits around it.
  const match = /^(\d+)(?:[.,](\d*))?$/.exec(cleaned);
  if (!match) return { error: 'Enter an amount such as 12.50' };
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    return { error: digits === 0 ? `${currency} has no decimals` : `At most ${digits} decimals for ${currency}` };
  }
  const minor = BigInt(whole) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  if (minor <= 0n) return { error: 'Enter an amount above zero' };
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { error: 'The amount is too large' };
  return { amount: Number(minor) };
}

/** Minor units → the plain decimal text an input shows (1250 EUR → "12.50"); no currency symbol, no grouping. */
export function formatMoneyInput(amount: number, currency: string): string {
  const digits = currencyDigits(currency);
  if (digits === 0) return String(amount);
  const s = String(Math.abs(amount)).padStart(digits + 1, '0');
  return `${amount < 0 ? '-' : ''}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}
