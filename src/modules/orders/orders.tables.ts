import type { ColumnType, Generated, RawBuilder } from 'kysely';
import type { ActorType } from '../../platform/audit/audit.js';
import type { FulfillmentStatus, OrderStatus, PaymentStatus } from './orders.state.js';

type Json<T> = ColumnType<T, RawBuilder<T> | undefined, RawBuilder<T>>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string | RawBuilder<Date>>;

export interface Address {
  firstName: string;
  lastName: string;
  company?: string | null;
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  region?: string | null;
  countryCode: string;
  phone?: string | null;
}

export interface OrderTable {
  id: string;
  number: Generated<number>;
  cart_id: string | null;
  customer_id: string | null;
  email: string;
  sales_channel_id: string;
  region_id: string | null;
  currency: string;
  status: Generated<OrderStatus>;
  payment_status: Generated<PaymentStatus>;
  fulfillment_status: Generated<FulfillmentStatus>;
  subtotal: number;
  discount_total: Generated<number>;
  shipping_total: Generated<number>;
  tax_total: Generated<number>;
  total: number;
  shipping_address: Json<Address | null>;
  billing_address: Json<Address | null>;
  shipping_method: Json<{ id: string; name: string; amount: number } | null>;
  promo_codes: Generated<string[]>;
  version: Generated<number>;
  created_at: Generated<Date>;
  placed_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  updated_at: Generated<Date>;
  /** Email and shipping/billing names folded by `orders_fold` (a stored generated column: written by the database). */
  search_text: ColumnType<string, never, never>;
}

/** One tax on an order line: `rate` in thousandths of a percent (19000 = 19 %), `amount` in minor units. */
export interface TaxLine {
  name: string;
  rate: number;
  amount: number;
}

export interface OrderLineTable {
  id: string;
  order_id: string;
  variant_id: string | null;
  product_id: string | null;
  sku: string;
  title: string;
  variant_title: string;
  quantity: number;
  unit_price: number;
  subtotal: number;
  discount: Generated<number>;
  tax: Generated<number>;
  total: number;
  tax_lines: Json<TaxLine[]>;
  fulfilled_quantity: Generated<number>;
  shipped_quantity: Generated<number>;
  returned_quantity: Generated<number>;
  position: number;
}

export interface OrderEventTable {
  id: string;
  order_id: string;
  at: Generated<Date>;
  kind: string;
  actor_type: ActorType;
  actor_id: string | null;
  data: Json<Record<string, unknown>>;
}

declare module '../../platform/db/database.js' {
  interface Database {
    order: OrderTable;
    order_line: OrderLineTable;
    order_event: OrderEventTable;
  }
}
