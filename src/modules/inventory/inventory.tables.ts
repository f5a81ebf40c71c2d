import type { ColumnType, Generated, RawBuilder } from 'kysely';

/** Kysely types of the inventory tables (migration 0013). */

export interface StockAddress {
  line1?: string;
  line2?: string;
  city?: string;
  postalCode?: string;
  region?: string;
  countryCode?: string;
}

export interface StockLocationTable {
  id: string;
  code: string;
  name: string;
  /** Written through `jsonb()` (platform/db/json.ts). */
  address: ColumnType<StockAddress, RawBuilder<StockAddress>, RawBuilder<StockAddress>>;
  active: Generated<boolean>;
  priority: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface InventoryItemTable {
  id: string;
  sku: string;
  variant_id: string | null;
  tracked: Generated<boolean>;
  allow_backorder: Generated<boolean>;
  low_stock_threshold: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface VariantComponentTable {
  variant_id: string;
  item_id: string;
  quantity: number;
}

export interface InventoryLevelTable {
  item_id: string;
  location_id: string;
  on_hand: Generated<number>;
  reserved: Generated<number>;
  held: Generated<number>;
  allow_backorder: Generated<boolean>;
  updated_at: Generated<Date>;
}

export interface StockMovementTable {
  id: Generated<string>;
  item_id: string;
  location_id: string;
  delta_on_hand: number;
  delta_reserved: number;
  delta_held: number;
  on_hand_after: number;
  reserved_after: number;
  held_after: number;
  reason: string;
  reference_type: string | null;
  reference_id: string | null;
  note: string | null;
  actor_type: string;
  actor_id: string | null;
  created_at: Generated<Date>;
  tx_id: Generated<string>;
}

export interface StockHoldTable {
  id: Generated<string>;
  cart_id: string;
  variant_id: string;
  line_quantity: number;
  item_id: string;
  location_id: string;
  quantity: number;
  expires_at: Date;
  created_at: Generated<Date>;
}

export interface StockReservationTable {
  order_id: string;
  variant_id: string;
  item_id: string;
  location_id: string;
  quantity: number;
}

declare module '../../platform/db/database.js' {
  interface Database {
    stock_location: StockLocationTable;
    inventory_item: InventoryItemTable;
    variant_component: VariantComponentTable;
    inventory_level: InventoryLevelTable;
    stock_movement: StockMovementTable;
    stock_hold: StockHoldTable;
    stock_reservation: StockReservationTable;
  }
}
