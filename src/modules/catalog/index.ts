/**
 * catalog — products, variants, prices, categories, collections and sales channels.
 * The only file other modules import.
 */

import type { Db, Tx } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import './catalog.tables.js';
import { salesChannelRoutes } from './sales-channels.routes.js';

export { applyVariantStock, type VariantStockRow } from './read-model.js';
export { resolveSalesChannelId, type SalesChannel } from './sales-channels.service.js';

export interface CatalogDeps {
  db: Db;
  /** Called inside the transaction that creates variants (inventory gives each an item). */
  onVariantsCreated?: ((tx: Tx, variants: { variantId: string; sku: string }[]) => Promise<void>) | undefined;
}

export async function catalogRoutes(app: App, deps: CatalogDeps) {
  await salesChannelRoutes(app, deps);
}
