import { sql } from 'kysely';
import { withTransaction } from '../../platform/db/transaction.js';
import type { CartDeps } from './carts.deps.js';
import { CartNotFoundError, CartNotOpenError } from './carts.errors.js';
import { MAX_LINE_QUANTITY, MAX_LINES } from './carts.service.js';
import { afterLinesChanged, releaseCartStock } from './carts.stock.js';
import { MAX_PROMO_CODES } from './carts.update.js';

/**
 * Guest → customer on login. When the customer has no open cart, the guest cart is simply adopted (it becomes
 * theirs). Otherwise its lines move into the customer's newest open cart — a variant already there gets the
 * quantities added (capped at 999), new variants join while the cart has room for them (100 lines) — the contact
 * and addresses fill what the customer's cart lacks, the promo codes join, and the guest cart is deleted with its
 * holds given back (the merged cart is held again when STOCK_HOLD_AT=add_to_cart).
 *
 * Locks both cart rows in id order. Returns the id of the customer's cart.
 * @throws {CartNotFoundError} 404 for an unknown cart or another customer's; {@link CartNotOpenError} 409;
 *   InsufficientStockError 409 (add_to_cart) — nothing changed.
 */
export async function mergeGuestCart(
  deps: CartDeps,
  input: { guestCartId: string; customerId: string },
): Promise<string> {
  const { guestCartId, customerId } = input;
  return withTransaction(deps.db, async (tx) => {
    const candidate = await tx
      .selectFrom('cart')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('status', '=', 'open')
      .where('id', '!=', guestCartId)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    // Both rows in id order, so two merges touching the same carts queue instead of deadlocking.
    const locked = await tx
      .selectFrom('cart')
      .selectAll()
      .where('id', 'in', candidate ? [guestCartId, candidate.id] : [guestCartId])
      .orderBy('id')
      .forUpdate()
      .execute();
    const guest = locked.find((c) => c.id === guestCartId);
    if (!guest || (guest.customer_id !== null && guest.customer_id !== customerId)) {
      throw new CartNotFoundError(guestCartId);
    }
    if (guest.customer_id === customerId) return guest.id;
    if (guest.status !== 'open') throw new CartNotOpenError(guest.status);
    const target = locked.find((c) => c.id === candidate?.id && c.status === 'open' && c.customer_id === customerId);
    if (!target) {
      await tx
        .updateTable('cart')
        .set({ customer_id: customerId, updated_at: sql`now()` })
        .where('id', '=', guest.id)
        .execute();
      return guest.id;
    }
    await sql`
      with room as (select ${MAX_LINES} - count(*)::int as n from cart_line where cart_id = ${target.id}),
      fresh as (
        select g.id, row_number() over (order by g.id) as rn from cart_line g
         where g.cart_id = ${guest.id}
           and not exists (select 1 from cart_line t where t.cart_id = ${target.id} and t.variant_id = g.variant_id)
      ),
      moved as (
        update cart_line l set cart_id = ${target.id} from fresh f
         where l.id = f.id and f.rn <= (select n from room)
      )
      update cart_line t set quantity = least(t.quantity + g.quantity, ${MAX_LINE_QUANTITY})
        from cart_line g
       where g.cart_id = ${guest.id} and t.cart_id = ${target.id} and t.variant_id = g.variant_id`.execute(tx);
    const codes = [...new Set([...target.promo_codes, ...guest.promo_codes])].slice(0, MAX_PROMO_CODES);
    await sql`
      update cart t set email = coalesce(t.email, g.email),
             shipping_address = coalesce(t.shipping_address, g.shipping_address),
             billing_address = coalesce(t.billing_address, g.billing_address),
             promo_codes = ${codes}::text[], updated_at = now()
        from cart g where t.id = ${target.id} and g.id = ${guest.id}`.execute(tx);
    await releaseCartStock(deps, tx, guest.id);
    await tx.deleteFrom('cart').where('id', '=', guest.id).execute();
    await afterLinesChanged(deps, tx, target.id);
    return target.id;
  });
}
