import { sql } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database.js';
import './carts.tables.js';
import './promotions.tables.js';

/**
 * Checkout's part of the privacy requests (run by `privacy` in one transaction with the other modules' parts): the
 * customer's carts — those of the account, those a guest filled in with the account's email, and the carts their
 * orders came from — with their contact data, and erasing that contact data.
 */

export interface CartOwner {
  customerId: string;
  /** The account's email, normalized; null once erased. */
  email: string | null;
  /** Carts the customer's orders were completed from. */
  cartIds: readonly string[];
}

async function cartIdsOf(db: Queryable, who: CartOwner): Promise<string[]> {
  const rows = await db
    .selectFrom('cart')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('customer_id', '=', who.customerId),
        ...(who.email ? [eb(sql`lower(email)`, '=', who.email)] : []),
        ...(who.cartIds.length > 0 ? [eb('id', 'in', [...who.cartIds])] : []),
      ]),
    )
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** The customer's carts with contact data, addresses and lines, in `tx`. */
export async function exportCustomerCarts(tx: Tx, who: CartOwner) {
  const ids = await cartIdsOf(tx, who);
  if (ids.length === 0) return [];
  const [carts, lines] = await Promise.all([
    tx
      .selectFrom('cart')
      .select([
        'id',
        'status',
        'email',
        'shipping_address',
        'billing_address',
        'currency_code',
        'country_code',
        'promo_codes',
        'payment_provider',
        'created_at',
        'updated_at',
      ])
      .where('id', 'in', ids)
      .orderBy('id')
      .execute(),
    tx
      .selectFrom('cart_line')
      .select(['cart_id', 'variant_id', 'quantity', 'created_at'])
      .where('cart_id', 'in', ids)
      .orderBy('id')
      .execute(),
  ]);
  return carts.map((c) => ({
    id: c.id,
    status: c.status,
    email: c.email,
    shippingAddress: c.shipping_address,
    billingAddress: c.billing_address,
    currency: c.currency_code,
    countryCode: c.country_code,
    promoCodes: c.promo_codes,
    paymentProvider: c.payment_provider,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
    lines: lines
      .filter((l) => l.cart_id === c.id)
      .map((l) => ({ variantId: l.variant_id, quantity: l.quantity, addedAt: l.created_at.toISOString() })),
  }));
}

/**
 * Clears the contact data of the customer's carts (email, both addresses) and cuts their link to the account, in
 * `tx`; the promotion uses of their orders stop naming them (per-customer limits forget them). Lines, totals and
 * payments' references to the carts stay. Returns how many carts were changed.
 */
export async function eraseCustomerCarts(tx: Tx, who: CartOwner & { orderIds: readonly string[] }): Promise<number> {
  const ids = await cartIdsOf(tx, who);
  if (ids.length > 0) {
    // Lock order of the cart commands (id order), so an erase never deadlocks with a checkout on the same carts.
    await tx.selectFrom('cart').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute();
    await tx
      .updateTable('cart')
      .set({ email: null, shipping_address: null, billing_address: null, customer_id: null, updated_at: sql`now()` })
      .where('id', 'in', ids)
      .execute();
  }
  const keys = [who.customerId, ...(who.email ? [who.email] : [])];
  await tx
    .updateTable('promotion_redemption')
    .set({ customer_key: null })
    .where((eb) =>
      eb.or([
        eb('customer_key', 'in', keys),
        ...(who.orderIds.length > 0 ? [eb('order_id', 'in', [...who.orderIds])] : []),
      ]),
    )
    .execute();
  return ids.length;
}
