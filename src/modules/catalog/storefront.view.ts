import type { ProductDoc, StockStatus } from './read-model.tables.js';
import type { StoreProduct } from './storefront.schemas.js';

/** A document row as the storefront statements return it. */
export interface DocumentRow {
  doc: ProductDoc;
  availability: Record<string, StockStatus>;
  stock_status: StockStatus;
  /** variantId → available units (only selected when the shop shows stock counts). */
  counts?: Record<string, number | null> | null;
}

/**
 * The currency a product is shown in when the request names none: its only currency, or the
 * first of its currencies in code order (stable, not "whatever the first row was"). A shop-wide
 * default currency setting would be better; there is none in config yet.
 */
export function defaultCurrency(doc: ProductDoc): string | null {
  let first: string | null = null;
  for (const v of doc.variants) {
    for (const code of Object.keys(v.prices)) if (first === null || code < first) first = code;
  }
  return first;
}

/** Shapes a document for the storefront in `currency` (variants without a price there: `price: null`). */
export function toStoreProduct(row: DocumentRow, currency: string | undefined, showCounts: boolean): StoreProduct {
  const { doc } = row;
  const cur = currency ?? defaultCurrency(doc);
  let min: number | null = null;
  let max: number | null = null;
  const variants = doc.variants.map((v) => {
    const price = cur ? v.prices[cur] : undefined;
    if (price) {
      min = min === null ? price[0] : Math.min(min, price[0]);
      max = max === null ? price[0] : Math.max(max, price[0]);
    }
    return {
      id: v.id,
      title: v.title,
      sku: v.sku,
      options: v.options,
      weightGrams: v.weightGrams,
      price: price && cur ? { amount: price[0], currency: cur } : null,
      compareAtPrice: price && cur && price[1] !== null ? { amount: price[1], currency: cur } : null,
      // A variant missing from the map was added after the last stock push: sellable until told otherwise.
      availability: row.availability[v.id] ?? 'in_stock',
      ...(showCounts ? { available: row.counts?.[v.id] ?? null } : {}),
    };
  });
  return {
    id: doc.id,
    handle: doc.handle,
    title: doc.title,
    subtitle: doc.subtitle,
    description: doc.description,
    tags: doc.tags,
    attributes: doc.attributes,
    images: doc.images,
    seoTitle: doc.seoTitle,
    seoDescription: doc.seoDescription,
    options: doc.options,
    categories: doc.categories,
    collections: doc.collections,
    currency: cur,
    priceRange:
      min !== null && max !== null && cur
        ? { min: { amount: min, currency: cur }, max: { amount: max, currency: cur } }
        : null,
    availability: row.stock_status,
    variants,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
