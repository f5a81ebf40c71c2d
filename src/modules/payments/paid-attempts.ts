import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';

/**
 * How long after the buyer's approval a gateway still lets us authorize (PayPal: an approved order can be authorized
 * or captured for 3 hours). Older approvals are left to expire — no money was taken — instead of retried forever.
 */
export const APPROVAL_USABLE_SECONDS = 3 * 3600;

export interface PaidAttempt {
  paymentId: string;
  cartId: string;
  /** Authorized or captured at the gateway; false: only approved by the buyer (no money moved yet). */
  paid: boolean;
}

/**
 * Attempts prepared for a cart that belong to no order yet while the buyer is done at the gateway: authorized (or
 * captured) — the buyer paid in the browser and never came back to "complete" — or approved by the buyer (PayPal),
 * which moves no money until the cart is completed. Oldest first. `cartIds`: just these carts' attempts (the webhook
 * follow-up, at once); otherwise those whose last change is older than `olderThanSeconds` (the worker's sweep).
 * A page of `limit` (50); pass the answer's `next` as `after` for the following page (null: no more).
 */
export async function paidAttemptsWithoutOrder(
  db: Queryable,
  opts: {
    cartIds?: string[] | undefined;
    olderThanSeconds?: number | undefined;
    limit?: number | undefined;
    after?: string | null | undefined;
  },
): Promise<{ attempts: PaidAttempt[]; next: string | null }> {
  if (opts.cartIds && opts.cartIds.length === 0) return { attempts: [], next: null };
  const limit = opts.limit ?? 50;
  const cursor = opts.after ? decodeCursor(opts.after) : null;
  // updated_at travels as text: a JavaScript Date would drop its microseconds and the cursor would skip or repeat rows.
  const rows = await sql<{ id: string; cart_id: string; stage: string; at: string }>`
    select id, cart_id, stage, updated_at::text as at from payment
     where order_id is null
       and (stage = 'authorized'
            or (stage in ('pending', 'requires_action') and approved_at > now() - make_interval(secs => ${APPROVAL_USABLE_SECONDS})))
       and ${opts.cartIds ? sql`cart_id in (${sql.join(opts.cartIds)})` : sql`updated_at <= now() - make_interval(secs => ${opts.olderThanSeconds ?? 60})`}
       and ${cursor ? sql`(updated_at, id) > (${cursor.at}::timestamptz, ${cursor.id})` : sql`true`}
     order by updated_at, id
     limit ${limit}`.execute(db);
  const last = rows.rows.at(-1);
  return {
    attempts: rows.rows.map((r) => ({ paymentId: r.id, cartId: r.cart_id, paid: r.stage === 'authorized' })),
    next: last && rows.rows.length === limit ? JSON.stringify([last.at, last.id]) : null,
  };
}

function decodeCursor(after: string): { at: string; id: string } {
  const [at, id] = JSON.parse(after) as [string, string];
  return { at, id };
}
