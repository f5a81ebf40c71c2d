/**
 * catalog — products, variants, prices, categories, collections and sales channels.
 * The only file other modules import.
 */

import type { App } from '../../platform/http/types.js';
import type { CatalogDeps } from './catalog.deps.js';
import './catalog.tables.js';
import { productRoutes } from './products.routes.js';
import { salesChannelRoutes } from './sales-channels.routes.js';
import { taxonomyRoutes } from './taxonomy.routes.js';

export type { CatalogDeps } from './catalog.deps.js';
export { applyVariantStock, type VariantStockRow } from './read-model.js';
export { resolveSalesChannelId, type SalesChannel } from './sales-channels.service.js';

export async function catalogRoutes(app: App, deps: CatalogDeps) {
  await salesChannelRoutes(app, deps);
  await productRoutes(app, deps);
  await taxonomyRoutes(app, deps);
}
