import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { type HoldResult, hold, release } from '../inventory/index.js';
import type { CartDeps } from './carts.deps.js';

/**
 * (Re-)holds the stock of every line of the cart for `holdTtlSeconds`, replacing its previous holds, and records
 * when the hold ends on the cart. An empty cart gives its holds back. Run it where checkout starts (and again when
 * `commitHold` reports HOLD_EXPIRED: that re-takes the expired units if they are still there).
 * Locks: the cart's hold rows, then the stock levels involved (inventory `hold`).
 * @throws InsufficientStockError 409 `INSUFFICIENT_STOCK` — the cart keeps its previous holds.
 */
export async function holdCartStock(deps: CartDeps, tx: Tx, cartId: string): Promise<HoldResult | null> {
  const lines = await tx
    .selectFrom('cart_line')
    .select(['variant_id as variantId', 'quantity'])
    .where('cart_id', '=', cartId)
    .orderBy('variant_id')
    .execute();
  if (lines.length === 0) {
    await releaseCartStock(deps, tx, cartId);
    return null;
  }
  const result = await hold(deps.inventory, tx, { cartId, lines, ttlSeconds: deps.holdTtlSeconds });
  await tx
    .updateTable('cart')
    .set({ held_until: result.expiresAt ? new Date(result.expiresAt) : null })
    .where('id', '=', cartId)
    .execute();
  return result;
}

/** Gives back every hold of the cart and forgets when it would have ended. */
export async function releaseCartStock(deps: CartDeps, tx: Tx, cartId: string): Promise<void> {
  await release(deps.inventory, tx, cartId);
  await sql`update cart set held_until = null where id = ${cartId} and held_until is not null`.execute(tx);
}

/** After a line change: with STOCK_HOLD_AT=add_to_cart the whole cart is held again in the same transaction. */
export async function afterLinesChanged(deps: CartDeps, tx: Tx, cartId: string): Promise<void> {
  if (deps.holdAt === 'add_to_cart') await holdCartStock(deps, tx, cartId);
}
