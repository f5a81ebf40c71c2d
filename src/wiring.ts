import { applyVariantStock, type CatalogDeps } from './modules/catalog/index.js';
import { ensureInventoryItems, type InventoryDeps } from './modules/inventory/index.js';
import type { Db } from './platform/db/database.js';

/**
 * Catalog and inventory are leaves: neither imports the other. Their in-transaction hand-offs are
 * wired here, once, for the HTTP app, the seed and the importer alike: a new variant gets an
 * inventory item, and every stock change updates the storefront documents in the same transaction.
 */
export interface ModuleDeps {
  catalog: CatalogDeps;
  inventory: InventoryDeps;
}

export function wireModules(
  db: Db,
  extra: { catalog?: Partial<CatalogDeps>; inventory?: Partial<InventoryDeps> } = {},
): ModuleDeps {
  const inventory: InventoryDeps = { db, onVariantStockChanged: applyVariantStock, ...extra.inventory };
  const catalog: CatalogDeps = {
    db,
    onVariantsCreated: (tx, variants) => ensureInventoryItems(inventory, tx, variants),
    ...extra.catalog,
  };
  return { catalog, inventory };
}
