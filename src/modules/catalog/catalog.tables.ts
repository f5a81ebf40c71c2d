import type { ColumnType, Generated, RawBuilder } from 'kysely';

/** Kysely types of the catalog write model (migration 0012). */

/** jsonb: written with `jsonb(value)` from platform/db/json.ts. */
type Json<T> = ColumnType<T, RawBuilder<T>, RawBuilder<T>>;

export interface ProductImage {
  url: string;
  alt: string | null;
}

export type AttributeValue = string | number | boolean;
export interface ProductAttribute {
  key: string;
  type: 'text' | 'number' | 'boolean';
  value: AttributeValue;
}

export type ProductStatus = 'draft' | 'active' | 'archived';

export interface ProductTable {
  id: string;
  handle: string;
  title: string;
  subtitle: string | null;
  description: Generated<string>;
  status: Generated<ProductStatus>;
  tags: Generated<string[]>;
  attributes: Json<ProductAttribute[]>;
  images: Json<ProductImage[]>;
  seo_title: string | null;
  seo_description: string | null;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ProductOptionTable {
  id: string;
  product_id: string;
  name: string;
  position: number;
  values: string[];
}

export interface VariantTable {
  id: string;
  product_id: string;
  title: string;
  sku: string;
  barcode: string | null;
  weight_grams: number | null;
  option_values: Json<Record<string, string>>;
  position: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface VariantPriceTable {
  variant_id: string;
  currency_code: string;
  amount: number;
  compare_at_amount: number | null;
}

export interface CategoryTable {
  id: string;
  parent_id: string | null;
  name: string;
  handle: string;
  description: Generated<string>;
  position: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ProductCategoryTable {
  product_id: string;
  category_id: string;
}

export interface CollectionTable {
  id: string;
  title: string;
  handle: string;
  description: Generated<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CollectionProductTable {
  collection_id: string;
  product_id: string;
  position: number;
}

export interface ProductChannelTable {
  product_id: string;
  sales_channel_id: string;
}

export interface VariantStockTable {
  variant_id: string;
  /** null: stock is not tracked for this variant (always sellable). */
  available: number | null;
  allow_backorder: Generated<boolean>;
  low_stock_threshold: Generated<number>;
}

declare module '../../platform/db/database.js' {
  interface Database {
    product: ProductTable;
    product_option: ProductOptionTable;
    variant: VariantTable;
    variant_price: VariantPriceTable;
    category: CategoryTable;
    product_category: ProductCategoryTable;
    collection: CollectionTable;
    collection_product: CollectionProductTable;
    product_channel: ProductChannelTable;
    variant_stock: VariantStockTable;
  }
}
