import { api } from '../../api/client';

/** The product a SKU belongs to, for showing a title next to stock (inventory knows SKUs, not titles). */
export interface ProductRef {
  productId: string;
  title: string;
}

/** The most SKUs the items list takes at once (its `skus` parameter). */
export const MAX_SKUS = 100;

/**
 * The catalog's products matching `q` (title, SKU or barcode), as SKU → product: how the inventory list finds
 * items by product title. Only the first 50 products count; the list says so when there may be more.
 */
export async function productsMatching(
  q: string,
  signal?: AbortSignal,
): Promise<{ bySku: Map<string, ProductRef>; more: boolean }> {
  const { data } = await api.GET('/v1/admin/products', { params: { query: { q, limit: 50 } }, signal });
  const bySku = new Map<string, ProductRef>();
  for (const p of data.data) {
    for (const sku of p.skus) {
      if (bySku.size >= MAX_SKUS) return { bySku, more: true };
      bySku.set(sku, { productId: p.id, title: p.title });
    }
  }
  return { bySku, more: data.nextCursor !== null };
}

/** The product whose variant has exactly this SKU, if the catalog has one. */
export async function productOfSku(sku: string, signal?: AbortSignal): Promise<ProductRef | null> {
  const { bySku } = await productsMatching(sku.slice(0, 200), signal);
  return bySku.get(sku) ?? null;
}
