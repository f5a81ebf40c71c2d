import type { Generated } from 'kysely';

/** Kysely types of the promotion tables (migration 0020). */

export interface PromotionTable {
  id: string;
  name: string;
  /** As entered; unique ignoring case. Null = an automatic promotion. */
  code: string | null;
  kind: 'percentage' | 'fixed';
  /** Basis points for `percentage` (1000 = 10%), minor units of `currency_code` for `fixed`. */
  value: number;
  currency_code: string | null;
  target: 'order' | 'products' | 'categories';
  target_ids: Generated<string[]>;
  min_subtotal: number | null;
  starts_at: Date | null;
  ends_at: Date | null;
  usage_limit: number | null;
  per_customer_limit: number | null;
  used: Generated<number>;
  combinable: Generated<boolean>;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PromotionRedemptionTable {
  promotion_id: string;
  order_id: string;
  customer_key: string | null;
  n: number | null;
  created_at: Generated<Date>;
}

declare module '../../platform/db/database.js' {
  interface Database {
    promotion: PromotionTable;
    promotion_redemption: PromotionRedemptionTable;
  }
}
