import { currencyExponent, fromDecimalString, type Money, toDecimalString } from '../../../platform/money.js';

/**
 * PayPal's amount strings. PayPal takes some currencies without decimals although ISO 4217 gives them a minor unit:
 * HUF and TWD have two decimals in ISO (and in our Money, so prices in fillér/cents stay exact) but PayPal only
 * accepts whole forints and dollars — `1000.00` HUF is refused with `DECIMALS_NOT_SUPPORTED`. JPY has no decimals
 * anywhere. Every PayPal amount the adapter sends goes through {@link paypalValue}.
 */

/** PayPal's currency table: "This currency does not support decimals." */
export const PAYPAL_WHOLE_UNIT_CURRENCIES: ReadonlySet<string> = new Set(['HUF', 'JPY', 'TWD']);

/** The amount as PayPal takes it, or `null` when it cannot be sent (a HUF/TWD amount with a minor part). */
export function paypalValue(m: Money): string | null {
  if (!PAYPAL_WHOLE_UNIT_CURRENCIES.has(m.currency)) return toDecimalString(m);
  const scale = 10 ** currencyExponent(m.currency);
  if (m.amount % scale !== 0) return null;
  return String(m.amount / scale);
}

/** PayPal's `{currency_code, value}` in our minor units ("1000" HUF is 100000 fillér). Throws on a malformed value. */
export const fromPayPalValue = (value: string, currency: string): Money => fromDecimalString(value, currency);
