import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { constraintName, SqlState, sqlState } from '../../platform/db/pg-errors.js';
import { PromotionExhaustedError } from './promotions.errors.js';
import { normalizeCustomerKey } from './promotions.evaluate.js';

export interface RedeemInput {
  promotionIds: string[];
  customerKey: string | null;
  orderId: string;
}

interface Row {
  known: boolean;
  done: boolean;
  updated: boolean;
  code: string | null;
}

/**
 * One conditional statement per promotion, in id order (two checkouts with the same promotions lock them in the
 * same order, so they cannot deadlock):
 *
 * - The UPDATE adds one use only `where usage_limit is null or used < usage_limit`. It locks the row; a concurrent
 *   redeemer waits, and PostgreSQL re-checks the condition on the row as committed, so a limit of 10 gives exactly
 *   10 uses however many checkouts race (the same pattern as the stock decrement).
 * - Per customer, the redemption takes a numbered slot `n`: the lowest of 1..per_customer_limit the customer does
 *   not hold yet. The unique (promotion_id, customer_key, n) index lets only one transaction own a slot, so two
 *   concurrent checkouts by one customer cannot both take the last one: the second fails on the index (it waits for
 *   the first to commit or roll back). This can refuse a racing redemption while a higher slot is still free; it
 *   never lets the limit be passed. Released slots are reused.
 * - Redeeming a promotion already redeemed for this order does nothing (a re-run of the same completion).
 */
async function redeemOne(tx: Tx, id: string, customerKey: string | null, orderId: string): Promise<void> {
  let row: Row | undefined;
  try {
    const res = await sql<Row>`
      with p as (select id, code, per_customer_limit from promotion where id = ${id}),
      done as (select 1 from promotion_redemption where promotion_id = ${id} and order_id = ${orderId}),
      slot as (
        select case when ${customerKey}::text is null or p.per_customer_limit is null then 0
                    else (select min(s) from generate_series(1, p.per_customer_limit) s
                           where not exists (select 1 from promotion_redemption r
                                              where r.promotion_id = p.id and r.customer_key = ${customerKey}::text
                                                and r.n = s)) end as n
          from p
      ),
      upd as (
        update promotion set used = used + 1
         where id = ${id} and (usage_limit is null or used < usage_limit)
           and not exists (select 1 from done) and exists (select 1 from slot where n is not null)
        returning id
      ),
      ins as (
        insert into promotion_redemption (promotion_id, order_id, customer_key, n)
        select ${id}, ${orderId}, ${customerKey}::text, nullif(slot.n, 0) from slot where exists (select 1 from upd)
        returning promotion_id
      )
      select exists (select 1 from p) as known, exists (select 1 from done) as done,
             exists (select 1 from ins) as updated, (select code from p) as code`.execute(tx);
    row = res.rows[0];
  } catch (err) {
    if (sqlState(err) === SqlState.uniqueViolation && constraintName(err) === 'promotion_redemption_slot_key') {
      throw new PromotionExhaustedError(id, null);
    }
    throw err;
  }
  if (!row?.known) throw new PromotionExhaustedError(id, null);
  if (!row.done && !row.updated) throw new PromotionExhaustedError(id, row.code);
}

/**
 * Redeems promotions for an order inside the checkout's transaction: counts a use of each and records a
 * `promotion_redemption` row (promotion, customer key, order).
 * @throws {PromotionExhaustedError} 409 `PROMOTION_EXHAUSTED` naming the first promotion whose total or
 *   per-customer limit is reached (or that no longer exists); the caller's transaction must roll back, which undoes
 *   the uses counted before it. Locks the promotion rows, in id order.
 */
export async function redeemPromotions(tx: Tx, input: RedeemInput): Promise<void> {
  const customerKey = normalizeCustomerKey(input.customerKey);
  for (const id of [...new Set(input.promotionIds)].sort()) await redeemOne(tx, id, customerKey, input.orderId);
}

/**
 * Gives back every promotion use of an order (a cancelled order): deletes its redemptions and decrements `used`,
 * in one statement, locking the promotion rows in id order. Returns the promotion ids released; an order without redemptions releases nothing.
 */
export async function releaseRedemptions(tx: Tx, orderId: string): Promise<string[]> {
  const res = await sql<{ id: string }>`
    with del as (delete from promotion_redemption where order_id = ${orderId} returning promotion_id),
    -- the same id order as redeemPromotions, so a cancellation and a checkout cannot deadlock
    locked as (select id from promotion where id in (select promotion_id from del) order by id for no key update)
    update promotion p set used = p.used - 1 from locked where p.id = locked.id returning p.id`.execute(tx);
  return res.rows.map((r) => r.id).sort();
}
