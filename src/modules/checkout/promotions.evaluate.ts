import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/database.js';
import './promotions.tables.js';
import {
  choosePromotions,
  normalizeCode,
  type PromotionCart,
  type PromotionEvaluation,
  type PromotionRule,
} from './promotions.rules.js';

interface CandidateRow {
  id: string;
  code: string | null;
  kind: 'percentage' | 'fixed';
  value: number;
  currency_code: string | null;
  target: 'order' | 'products' | 'categories';
  target_ids: string[];
  min_subtotal: number | null;
  starts_at: Date | null;
  ends_at: Date | null;
  usage_limit: number | null;
  per_customer_limit: number | null;
  used: number;
  customer_uses: number;
  combinable: boolean;
}

const toDate = (d: Date | string | null) => (d === null ? null : new Date(d));

/** A customer key compares trimmed and lowercased (customer ids are lowercase already; emails ignore case). */
export const normalizeCustomerKey = (key: string | null | undefined) => {
  const k = key?.trim().toLowerCase();
  return k ? k : null;
};

/**
 * The promotions that apply to a cart: every active automatic promotion that is running now, plus the active ones
 * whose code was entered (any case), with the customer's own redemption counts — one statement — then the pure
 * rules of promotions.rules.ts. Reads only; the limits are enforced again, under concurrency, by `redeemPromotions`.
 */
export async function evaluatePromotions(db: Queryable, cart: PromotionCart): Promise<PromotionEvaluation> {
  const now = cart.now ?? new Date();
  const customerKey = normalizeCustomerKey(cart.customerKey);
  const codes = [...new Set(cart.codes.map(normalizeCode).filter((c) => c.length > 0))];
  const res = await sql<CandidateRow>`
    select p.id, p.code, p.kind, p.value, p.currency_code, p.target, p.target_ids, p.min_subtotal, p.starts_at,
           p.ends_at, p.usage_limit, p.per_customer_limit, p.used, p.combinable,
           (select count(*) from promotion_redemption r
             where r.promotion_id = p.id and r.customer_key = ${customerKey}::text)::int as customer_uses
      from promotion p
     where p.active
       and ((p.code is null and (p.starts_at is null or p.starts_at <= ${now}::timestamptz)
                            and (p.ends_at is null or p.ends_at > ${now}::timestamptz))
            or lower(p.code) = any(${codes.length > 0 ? codes : ['']}::text[]))`.execute(db);
  const candidates: PromotionRule[] = res.rows.map((r) => ({
    id: r.id,
    code: r.code,
    kind: r.kind,
    value: Number(r.value),
    currency: r.currency_code,
    target: r.target,
    targetIds: r.target_ids,
    minSubtotal: r.min_subtotal === null ? null : Number(r.min_subtotal),
    startsAt: toDate(r.starts_at),
    endsAt: toDate(r.ends_at),
    usageLimit: r.usage_limit,
    perCustomerLimit: r.per_customer_limit,
    used: r.used,
    customerUses: r.customer_uses,
    combinable: r.combinable,
  }));
  return choosePromotions(candidates, { ...cart, customerKey, now });
}
