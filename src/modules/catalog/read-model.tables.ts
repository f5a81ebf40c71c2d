import type { ColumnType } from 'kysely';

/** Kysely types of the storefront read model (migration 0014). Written only by read-model.ts. */

type Json<T> = ColumnType<T, string, string>;

export type StockStatus = 'in_stock' | 'low_stock' | 'out_of_stock';

/** A variant as stored in the document: prices by currency as [amount, compareAtAmount | null]. */
export interface DocVariant {
  id: string;
  title: string;
  sku: string;
  options: Record<string, string>;
  weightGrams: number | null;
  prices: Record<string, [number, number | null]>;
}

export interface ProductDoc {
  id: string;
  handle: string;
  title: string;
  subtitle: string | null;
  description: string;
  tags: string[];
  attributes: { key: string; type: 'text' | 'number' | 'boolean'; value: string | number | boolean }[];
  images: { url: string; alt: string | null }[];
  seoTitle: string | null;
  seoDescription: string | null;
  options: { name: string; values: string[] }[];
  categories: { id: string; handle: string; name: string }[];
  collections: { id: string; handle: string; title: string }[];
  variants: DocVariant[];
  createdAt: string;
  updatedAt: string;
}

export interface ProductDocumentTable {
  product_id: string;
  sales_channel_id: string;
  handle: string;
  title_sort: string;
  created_at: Date;
  tags: string[];
  category_ids: string[];
  collection_positions: Json<Record<string, number>>;
  variant_ids: string[];
  words: string[];
  doc: Json<ProductDoc>;
  availability: Json<Record<string, StockStatus>>;
  stock_status: StockStatus;
  search: string;
}

export interface ProductDocumentPriceTable {
  sales_channel_id: string;
  product_id: string;
  currency: string;
  min_amount: number;
  max_amount: number;
}

export interface CatalogWordTable {
  word: string;
  lexeme: string | null;
}

declare module '../../platform/db/database.js' {
  interface Database {
    product_document: ProductDocumentTable;
    product_document_price: ProductDocumentPriceTable;
    catalog_word: CatalogWordTable;
  }
}
