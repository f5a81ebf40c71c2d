import type { ColumnType, Generated, RawBuilder } from 'kysely';

/** Kysely types of the cart tables (migration 0019). Addresses are jsonb, written with `jsonb()`. */

export type CartStatus = 'open' | 'completing' | 'completed';

export interface CartAddress {
  firstName: string;
  lastName: string;
  company?: string | null | undefined;
  line1: string;
  line2?: string | null | undefined;
  city: string;
  postalCode: string;
  region?: string | null | undefined;
  countryCode: string;
  phone?: string | null | undefined;
}

type JsonAddress = ColumnType<CartAddress | null, RawBuilder<CartAddress> | null, RawBuilder<CartAddress> | null>;

export interface CartTable {
  id: string;
  customer_id: string | null;
  sales_channel_id: string;
  region_id: string | null;
  currency_code: string;
  country_code: string | null;
  status: Generated<CartStatus>;
  email: string | null;
  shipping_address: JsonAddress;
  billing_address: JsonAddress;
  shipping_option_id: string | null;
  promo_codes: Generated<string[]>;
  held_until: Date | null;
  /** The payment method chosen with `POST …/payment` (a provider id) and what the gateway needs for it. */
  payment_provider: Generated<string | null>;
  /** The attempt prepared by POST /payment for a gateway whose buyer acts in the browser first. */
  payment_id: Generated<string | null>;
  payment_data: ColumnType<
    Record<string, string>,
    RawBuilder<Record<string, string>> | undefined,
    RawBuilder<Record<string, string>>
  >;
  /** When completion's phase one committed; the worker finishes completions stuck past a grace period. */
  completing_since: Generated<Date | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CartLineTable {
  id: string;
  cart_id: string;
  variant_id: string;
  quantity: number;
  created_at: Generated<Date>;
}

declare module '../../platform/db/database.js' {
  interface Database {
    cart: CartTable;
    cart_line: CartLineTable;
  }
}
