import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { TypeID } from 'typeid-js';
import type { Queryable, Tx } from '../../platform/db/database.js';
import { SqlState, sqlState } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { idPrefixes, newId } from '../../platform/ids.js';
import { isCurrency } from '../../platform/money.js';
import { salesChannelIdSql, sellableVariants } from '../catalog/index.js';
import type { Principal } from '../identity/index.js';
import type { CartDeps } from './carts.deps.js';
import { CartRuleError, variantNotPriced, variantNotSellable } from './carts.errors.js';
import {
  assertAccess,
  cartSettingsToken,
  lockOpenCart,
  lockOpenCartWithLines,
  selectCart,
  touch,
} from './carts.repository.js';
import { afterLinesChanged } from './carts.stock.js';
import { type CartView, cartView } from './carts.view.js';
import { isCountry } from './checkout.schemas.js';
import { defaultRegion, getRegion, type Region, regionForCountry } from './regions.service.js';

/** Cart commands: create, read, and the line changes. Every change locks the cart row first. */

export const MAX_LINE_QUANTITY = 999;
export const MAX_LINES = 100;

/**
 * A cart id is a TypeID whose UUIDv7 carries 74 bits from the CSPRNG. The shared `newId` fills 31 of those bits
 * with a per-process counter (monotonic within a millisecond), which would let anyone holding one cart id guess
 * its neighbours; a guest cart's id is its only credential, so it gets every random bit.
 */
export function newCartId(): string {
  const b = randomBytes(16);
  b.writeUIntBE(Date.now(), 0, 6);
  b[6] = 0x70 | ((b[6] as number) & 0x0f);
  b[8] = 0x80 | ((b[8] as number) & 0x3f);
  const hex = b.toString('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return TypeID.fromUUID(idPrefixes.cart, uuid).toString();
}

export interface CreateCartInput {
  regionId?: string | undefined;
  currency?: string | undefined;
  countryCode?: string | undefined;
}

/** The region and currency a new cart starts with (see the README, "Carts"). */
async function startingRegion(
  db: Queryable,
  input: CreateCartInput,
): Promise<{ region: Region | null; currency: string }> {
  if (input.currency !== undefined && !isCurrency(input.currency)) {
    throw new ValidationError([{ path: '/body/currency', message: 'is not a supported ISO 4217 currency code' }]);
  }
  if (input.countryCode !== undefined && !isCountry(input.countryCode)) {
    throw new ValidationError([{ path: '/body/countryCode', message: 'is not an ISO 3166-1 alpha-2 country code' }]);
  }
  let region: Region | null = null;
  if (input.regionId !== undefined) {
    region = await getRegion(db, input.regionId).catch((err) => {
      if (err instanceof NotFoundError) throw new CartRuleError('UNKNOWN_REGION', '/body/regionId', 'names no region');
      throw err;
    });
    if (input.countryCode !== undefined && !region.countries.includes(input.countryCode)) {
      throw new CartRuleError('COUNTRY_NOT_IN_REGION', '/body/countryCode', 'is not a country of the region');
    }
  } else if (input.countryCode !== undefined) {
    region = await regionForCountry(db, input.countryCode);
    if (!region) throw new CartRuleError('COUNTRY_NOT_SERVED', '/body/countryCode', 'is in no region of the shop');
  } else if (input.currency === undefined) {
    // Neither given: the shop's first region (the oldest) is its default.
    region = await defaultRegion(db);
    if (!region)
      throw new CartRuleError('CURRENCY_REQUIRED', '/body/currency', 'is required while the shop has no region');
  }
  if (region && input.currency !== undefined && input.currency !== region.currency) {
    throw new CartRuleError(
      'CURRENCY_NOT_OF_REGION',
      '/body/currency',
      `must be the region's currency ${region.currency}`,
    );
  }
  return { region, currency: region?.currency ?? (input.currency as string) };
}

/** Creates an empty cart in the request's sales channel; a signed-in customer's cart belongs to them. */
export async function createCart(
  deps: CartDeps,
  principal: Principal,
  channelId: string | null,
  input: CreateCartInput,
): Promise<CartView> {
  const id = newCartId();
  // One insert, no transaction: the reads before it only choose values (a region deleted meanwhile is set null
  // by its foreign key), and the new cart is priced from the returned row without reading it back. The channel is
  // resolved inside the insert, and the row comes back with the settings token, so pricing it finds the region in
  // the settings cache: two statements in all.
  const { region, currency } = await startingRegion(deps.db, input);
  const row = await deps.db
    .insertInto('cart')
    .values({
      id,
      customer_id: principal.type === 'customer' ? principal.id : null,
      sales_channel_id: salesChannelIdSql(channelId),
      region_id: region?.id ?? null,
      currency_code: currency,
      country_code: input.countryCode ?? (region?.countries.length === 1 ? (region.countries[0] as string) : null),
      email: null,
      shipping_address: null,
      billing_address: null,
      shipping_option_id: null,
      held_until: null,
    })
    .returningAll()
    .returning(cartSettingsToken.as('settings_token'))
    .executeTakeFirstOrThrow()
    .catch((err: unknown) => {
      // Null only when no channel was selected and the shop has no default one.
      if (sqlState(err) === SqlState.notNullViolation) throw new NotFoundError('Default sales channel');
      throw err;
    });
  return cartView(deps.db, { ...row, lines: [] }, deps.discountsFor);
}

/** The cart, priced now. @throws {CartNotFoundError} 404 (also for another customer's cart). */
export async function getCart(deps: CartDeps, principal: Principal, id: string): Promise<CartView> {
  const cart = await selectCart(deps.db, id);
  assertAccess(cart, id, principal);
  return cartView(deps.db, cart, deps.discountsFor);
}

/**
 * For the completion step: locks the open cart (404 / 409 `CART_NOT_OPEN` as every change) and prices it inside `tx`,
 * so the order is built from exactly what the transaction sees.
 */
export async function lockCartForCheckout(
  deps: CartDeps,
  tx: Tx,
  principal: Principal,
  cartId: string,
): Promise<CartView> {
  return cartView(tx, await lockOpenCartWithLines(tx, cartId, principal), deps.discountsFor);
}

/**
 * Adds `quantity` units of a variant: a new line, or more units on the variant's line.
 * @throws {CartRuleError} 422 when the variant is not sellable in the cart's channel or has no price in its currency,
 *   when the line would pass 999 units or the cart 100 lines. {@link CartNotOpenError} 409. With
 *   STOCK_HOLD_AT=add_to_cart, InsufficientStockError 409 — nothing changed.
 */
export async function addCartLine(
  deps: CartDeps,
  principal: Principal,
  cartId: string,
  input: { variantId: string; quantity: number },
): Promise<CartView> {
  const changed = await withTransaction(deps.db, async (tx) => {
    // The cart with its lines, locked, and every variant the answer prices, read once: the cart is priced from what
    // this transaction read and wrote instead of being read again after COMMIT.
    const cart = await lockOpenCartWithLines(tx, cartId, principal);
    const variantIds = [...new Set([...cart.lines.map((l) => l.variant_id), input.variantId])];
    const variants = await sellableVariants(tx, cart.sales_channel_id, variantIds);
    const variant = variants.get(input.variantId);
    if (!variant) throw variantNotSellable('/body/variantId');
    if (variant.prices[cart.currency_code] === undefined) throw variantNotPriced('/body/variantId', cart.currency_code);
    // One statement decides both limits (the cart row is locked, so the line count cannot move meanwhile).
    const res = await sql<{ id: string | null; quantity: number | null; lines: number; at: Date }>`
      with n as (select count(*)::int as lines from cart_line where cart_id = ${cartId}),
      up as (
        insert into cart_line (id, cart_id, variant_id, quantity)
        select ${newId('cartLine')}, ${cartId}, ${input.variantId}, ${input.quantity}
         where (select lines from n) < ${MAX_LINES}
            or exists (select 1 from cart_line where cart_id = ${cartId} and variant_id = ${input.variantId})
        on conflict (cart_id, variant_id) do update set quantity = cart_line.quantity + excluded.quantity
         where cart_line.quantity + excluded.quantity <= ${MAX_LINE_QUANTITY}
        returning id, quantity
      ),
      t as (update cart set updated_at = now() where id = ${cartId} and exists (select 1 from up))
      select (select id from up) as id, (select quantity from up) as quantity, (select lines from n) as lines,
             now() as at`.execute(tx);
    const line = res.rows[0];
    if (!line?.id || line.quantity === null) {
      if ((line?.lines ?? 0) >= MAX_LINES) {
        throw new CartRuleError(
          'CART_LINE_LIMIT',
          '/body/variantId',
          `would be line ${MAX_LINES + 1}; a cart holds at most ${MAX_LINES}`,
        );
      }
      throw new CartRuleError(
        'LINE_QUANTITY_LIMIT',
        '/body/quantity',
        `would take the line past ${MAX_LINE_QUANTITY} units`,
      );
    }
    await afterLinesChanged(deps, tx, cartId);
    const lines = [
      ...cart.lines.filter((l) => l.id !== line.id),
      { id: line.id, variant_id: input.variantId, quantity: line.quantity },
    ].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    return { ...cart, lines, updated_at: line.at, sellable_variants: variants };
  });
  // A hold taken with the lines moved the cart's held_until: that answer is read again.
  if (deps.holdAt === 'add_to_cart') return getCart(deps, principal, cartId);
  return cartView(deps.db, changed, deps.discountsFor);
}

/** Sets a line's quantity; 0 removes it. @throws 404 for an unknown line, and as {@link addCartLine}. */
export async function setCartLineQuantity(
  deps: CartDeps,
  principal: Principal,
  cartId: string,
  lineId: string,
  quantity: number,
): Promise<CartView> {
  await withTransaction(deps.db, async (tx) => {
    await lockOpenCart(tx, cartId, principal);
    const changed =
      quantity === 0
        ? await tx.deleteFrom('cart_line').where('id', '=', lineId).where('cart_id', '=', cartId).executeTakeFirst()
        : await tx
            .updateTable('cart_line')
            .set({ quantity })
            .where('id', '=', lineId)
            .where('cart_id', '=', cartId)
            .executeTakeFirst();
    const rows = 'numDeletedRows' in changed ? changed.numDeletedRows : changed.numUpdatedRows;
    if (rows === 0n) throw new NotFoundError('Cart line', lineId);
    await touch(tx, cartId);
    await afterLinesChanged(deps, tx, cartId);
  });
  return getCart(deps, principal, cartId);
}
