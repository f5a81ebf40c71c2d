import { Type } from 'typebox';
import { type IdKind, idPrefixes } from '../ids.js';
import { MAX_AMOUNT } from '../money.js';

/**
 * Request schemas shared by every route group.
 */

/**
 * `cursor` of a list whose pages are keyed by id (newest first): the `nextCursor` of the previous page, an id of
 * `kind`. Anything else is 400 `VALIDATION_FAILED` at `/query/cursor`, as on the storefront, rather than a
 * silent empty page.
 */
export const IdCursor = (kind: IdKind) =>
  Type.String({
    // A TypeID: the prefix, `_`, then 26 Crockford base-32 characters (the first at most 7).
    pattern: `^${idPrefixes[kind]}_[0-7][0-9a-hjkmnp-tv-z]{25}$`,
    description: '`nextCursor` of the previous page',
  });

/**
 * An amount of money in minor units, as written (prices, shipping rates, fixed discounts, refunds, captures): at most
 * {@link MAX_AMOUNT}, so that every cart the API lets a shopper build can still be totalled.
 */
export const MoneyAmount = (opts: { minimum?: number; description?: string } = {}) =>
  Type.Integer({ minimum: opts.minimum ?? 0, maximum: MAX_AMOUNT, description: opts.description ?? 'minor units' });
