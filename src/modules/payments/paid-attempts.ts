import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';

/**
 * Attempts prepared for a cart that the gateway authorized (or captured) while they belong to no order yet: the buyer
 * paid in the browser and never came back to "complete". Oldest answer first. `cartIds`: just these carts' attempts
 * (the webhook follow-up, at once); otherwise those whose answer is older than `olderThanSeconds` (the worker's sweep).
 */
export async function paidAttemptsWithoutOrder(
  db: Queryable,
  opts: { cartIds?: string[] | undefined; olderThanSeconds?: number | undefined; limit?: number | undefined },
): Promise<{ paymentId: string; cartId: string }[]> {
  if (opts.cartIds && opts.cartIds.length === 0) return [];
  const rows = await sql<{ id: string; cart_id: string }>`
    select id, cart_id from payment
     where stage = 'authorized' and order_id is null
       and ${opts.cartIds ? sql`cart_id in (${sql.join(opts.cartIds)})` : sql`updated_at <= now() - make_interval(secs => ${opts.olderThanSeconds ?? 60})`}
     order by updated_at
     limit ${opts.limit ?? 50}`.execute(db);
  return rows.rows.map((r) => ({ paymentId: r.id, cartId: r.cart_id }));
}
