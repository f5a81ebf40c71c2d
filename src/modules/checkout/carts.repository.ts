import { type Selectable, sql, type Updateable } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database.js';
import type { SellableVariant } from '../catalog/index.js';
import type { Principal } from '../identity/index.js';
import { CartNotFoundError, CartNotOpenError } from './carts.errors.js';
import type { CartLineTable, CartTable } from './carts.tables.js';

/** SQL of the cart tables, and who may see a cart. */

export type CartRow = Selectable<CartTable>;
export type CartLineRow = Pick<Selectable<CartLineTable>, 'id' | 'variant_id' | 'quantity'>;
/**
 * `settings_token`: the checkout settings' token read in the same statement (see settings-cache.ts); absent on a
 * cart built elsewhere, which then prices from the database directly.
 */
export type CartWithLines = CartRow & {
  lines: CartLineRow[];
  settings_token?: string | null;
  /**
   * The lines' variants as the catalog sold them when the caller read them (in the transaction that changed the
   * lines): pricing uses them instead of reading them again. Must cover every line.
   */
  sellable_variants?: ReadonlyMap<string, SellableVariant>;
};

/** The settings token, as a column of the statement that reads the cart. */
export const cartSettingsToken = sql<string | null>`(select token from checkout_settings_version)`;

/**
 * A customer's cart answers only to that customer; a guest cart to whoever holds its unguessable id.
 * Everyone else gets the same 404 as for an unknown id.
 */
export function assertAccess(cart: CartRow | undefined, id: string, principal: Principal): asserts cart is CartRow {
  if (!cart) throw new CartNotFoundError(id);
  if (cart.customer_id !== null && (principal.type !== 'customer' || principal.id !== cart.customer_id)) {
    throw new CartNotFoundError(id);
  }
}

/** The cart with its lines (oldest first), in one statement; `lock` also locks the cart row (in a transaction). */
export async function selectCart(db: Queryable, id: string, lock = false): Promise<CartWithLines | undefined> {
  const res = await sql<CartRow & { lines: CartLineRow[] | string; settings_token: string | null }>`
    select c.*, coalesce((select json_agg(json_build_object('id', l.id, 'variant_id', l.variant_id,
                                  'quantity', l.quantity) order by l.id)
                            from cart_line l where l.cart_id = c.id), '[]'::json) as lines,
           ${cartSettingsToken} as settings_token
      from cart c where c.id = ${id} ${lock ? sql`for update of c` : sql``}`.execute(db);
  const row = res.rows[0];
  if (!row) return undefined;
  return { ...row, lines: typeof row.lines === 'string' ? JSON.parse(row.lines) : row.lines };
}

/** {@link lockOpenCart} that also reads the lines, in the same statement. */
export async function lockOpenCartWithLines(tx: Tx, id: string, principal: Principal): Promise<CartWithLines> {
  const cart = await selectCart(tx, id, true);
  assertAccess(cart, id, principal);
  if (cart.status !== 'open') throw new CartNotOpenError(cart.status);
  return cart;
}

/** Locks the cart row for a change; 404 when the caller may not see it, 409 when it is no longer open. */
export async function lockOpenCart(
  tx: Tx,
  id: string,
  principal: Principal,
): Promise<CartRow & { settings_token: string | null }> {
  const cart = await tx
    .selectFrom('cart')
    .selectAll()
    .select(cartSettingsToken.as('settings_token'))
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  assertAccess(cart, id, principal);
  if (cart.status !== 'open') throw new CartNotOpenError(cart.status);
  return cart;
}

/** Sets `set` on the cart and moves its `updated_at`. */
function updateCart(tx: Tx, id: string, set: Updateable<CartTable>) {
  return tx
    .updateTable('cart')
    .set({ ...set, updated_at: sql`now()` })
    .where('id', '=', id);
}

/** {@link touch} that returns the changed row. */
export async function touchReturning(tx: Tx, id: string, set: Updateable<CartTable> = {}): Promise<CartRow> {
  return updateCart(tx, id, set).returningAll().executeTakeFirstOrThrow();
}

export async function touch(tx: Tx, id: string, set: Updateable<CartTable> = {}): Promise<void> {
  await updateCart(tx, id, set).execute();
}
