import type { ColumnType, Generated, RawBuilder } from 'kysely';

/** Kysely types of the checkout tables (migration 0017). Tax rates are thousandths of a percent (19% = 19000). */

export interface RegionTable {
  id: string;
  name: string;
  currency_code: string;
  tax_inclusive: Generated<boolean>;
  /** Gateways offered in the region; null: every configured one. */
  payment_providers: Generated<string[] | null>;
  capture_method: Generated<'automatic' | 'manual'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RegionCountryTable {
  country_code: string;
  region_id: string;
}

export interface TaxRateTable {
  id: string;
  country_code: string;
  province_code: string | null;
  name: string;
  rate: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface TaxRateOverrideTable {
  tax_rate_id: string;
  category_id: string;
  rate: number;
}

export interface WeightBand {
  maxGrams: number;
  amount: number;
}

export interface ShippingOptionTable {
  id: string;
  region_id: string;
  stock_location_id: string;
  name: string;
  kind: 'flat' | 'free_above' | 'weight_bands';
  amount: number | null;
  threshold: number | null;
  bands: ColumnType<WeightBand[] | null, RawBuilder<WeightBand[]> | null, RawBuilder<WeightBand[]> | null>;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** One row: a token that changes with every write to the tables above (migration 0035; see settings-cache.ts). */
export interface CheckoutSettingsVersionTable {
  id: Generated<boolean>;
  token: string;
}

declare module '../../platform/db/database.js' {
  interface Database {
    checkout_settings_version: CheckoutSettingsVersionTable;
    region: RegionTable;
    region_country: RegionCountryTable;
    tax_rate: TaxRateTable;
    tax_rate_override: TaxRateOverrideTable;
    shipping_option: ShippingOptionTable;
  }
}
