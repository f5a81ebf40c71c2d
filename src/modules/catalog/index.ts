/**
 * catalog — products, variants, prices, categories, collections and sales channels.
 * The only file other modules import.
 */

import type { App } from '../../platform/http/types.js';
import type { CatalogDeps } from './catalog.deps.js';
import './catalog.events.js';
import './catalog.tables.js';
import { productRoutes } from './products.routes.js';
import { salesChannelRoutes } from './sales-channels.routes.js';
import { storefrontRoutes } from './storefront.routes.js';
import { taxonomyRoutes } from './taxonomy.routes.js';

export type { CatalogDeps } from './catalog.deps.js';
export { createCategory } from './categories.service.js';
export { createCollection } from './collections.service.js';
export { type ExportProduct, exportCurrencies, exportProductPage } from './export.service.js';
export {
  type BulkProduct,
  type BulkResult,
  type ImportReferences,
  resolveImportReferences,
  upsertProductBatch,
} from './import.service.js';
export { adminProductViews } from './products.repository.js';
export type { CreateProductInput } from './products.schemas.js';
/** The admin product view (`GET /v1/admin/products/{id}`): schema and batch read, for the webhook catalogue. */
export { ProductView, type ProductViewT } from './products.schemas.js';
export { createProduct } from './products.service.js';
export { applyVariantStock, CATALOG_CHANGED_CHANNEL, type VariantStockRow } from './read-model.js';
export { resolveSalesChannelId, type SalesChannel, salesChannelIdSql } from './sales-channels.service.js';
export { type SellableVariant, sellableVariants } from './sellable.service.js';
/** `data` of the `catalog.storefront_changed` webhook (the CDN purge keys), for the event catalogue. */
export { StorefrontChange } from './storefront.schemas.js';
/** Product and variant titles by id, one statement each (names next to ids on the admin dashboard). */
export { productTitles, type VariantTitle, variantTitles } from './titles.read.js';

export async function catalogRoutes(app: App, deps: CatalogDeps) {
  await salesChannelRoutes(app, deps);
  await productRoutes(app, deps);
  await taxonomyRoutes(app, deps);
  await storefrontRoutes(app, deps);
}
