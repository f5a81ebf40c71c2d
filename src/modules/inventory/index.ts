/**
 * inventory — stock locations, items, levels, the stock ledger, cart holds.
 * The only file other modules import. (Scaffold: the implementation is in progress.)
 */

import type { Db, Tx } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';

/** What catalog learns after every stock change, in the same transaction. */
export interface VariantStockUpdate {
  variantId: string;
  /** Sellable units across locations (bundles: the minimum over components); null = not tracked. */
  available: number | null;
  allowBackorder: boolean;
  lowStockThreshold: number;
}

export interface InventoryDeps {
  db: Db;
  /** Called inside the transaction of every change that moves a variant's availability. */
  onVariantStockChanged?: ((tx: Tx, updates: VariantStockUpdate[]) => Promise<void>) | undefined;
}

/** Creates the inventory item of each new variant (tracked, no stock), in the caller's transaction. */
export async function ensureInventoryItems(
  _deps: InventoryDeps,
  _tx: Tx,
  _variants: { variantId: string; sku: string }[],
): Promise<void> {}

export async function inventoryRoutes(_app: App, _deps: InventoryDeps): Promise<void> {}
