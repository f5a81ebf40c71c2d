import { Type } from 'typebox';
import { ValidationError } from '../../platform/errors.js';
import { MoneyAmount } from '../../platform/http/schemas.js';
import { isCurrency } from '../../platform/money.js';

/** Request and response shapes shared by the checkout admin routes, and the checks a JSON schema cannot make. */

export const Id = Type.String({ minLength: 1, maxLength: 100 });
export const IdParams = Type.Object({ id: Id });
export const Name = Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' });
export const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code, e.g. DE' });
export const Amount = MoneyAmount();
export const Rate = Type.Integer({
  minimum: 0,
  maximum: 100_000,
  description: 'thousandths of a percent: 19000 = 19%, 8875 = 8.875%',
});
export const Timestamps = {
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
};
export const list = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ data: Type.Array(item), nextCursor: Type.Null() });

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
// Codes CLDR names that are not assigned ISO 3166-1 countries (unions, reserved or private-use codes).
const notCountries = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ', 'UK', 'XA', 'XB']);

/** Whether `code` is an assigned ISO 3166-1 alpha-2 country code (XK, Kosovo, is accepted as gateways use it). */
export function isCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && !notCountries.has(code) && regionNames.of(code) !== undefined;
}

/** 400 naming each field that holds an unknown country, or an unknown currency. */
export function assertCodes(fields: { currency?: string | undefined; countries?: Record<string, string> }): void {
  const errors = Object.entries(fields.countries ?? {})
    .filter(([, code]) => !isCountry(code))
    .map(([path]) => ({ path, message: 'is not an ISO 3166-1 alpha-2 country code' }));
  if (fields.currency !== undefined && !isCurrency(fields.currency)) {
    errors.unshift({ path: '/body/currency', message: 'is not a supported ISO 4217 currency code' });
  }
  if (errors.length > 0) throw new ValidationError(errors);
}
