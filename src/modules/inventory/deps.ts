import type { Db, Tx } from '../../platform/db/database.js';

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
  /** Live stream poll interval (ms); default 250. */
  streamPollMs?: number | undefined;
  /** Live stream heartbeat interval (ms); default 15000. */
  streamHeartbeatMs?: number | undefined;
}
