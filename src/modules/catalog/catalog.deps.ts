import type { DbHandle } from '../../platform/db/create-db.js';
import type { Db, Tx } from '../../platform/db/database.js';
import type { StorefrontHttpCache } from './storefront.http-cache.js';

/** What the catalog needs from the app; built once in app.ts. */
export interface CatalogDeps {
  db: Db;
  /**
   * Storefront product reads: a streaming replica's readDb (DATABASE_REPLICA_URL), else `db`. It falls back to the
   * primary while the replica has not replayed a catalog change this process heard of, so a cleared cache is never
   * refilled with the old answer.
   */
  readDb: Db;
  /** Called inside the transaction that creates variants (inventory gives each an item). */
  onVariantsCreated?: ((tx: Tx, variants: { variantId: string; sku: string }[]) => Promise<void>) | undefined;
  /** LISTEN (AppDeps.listen): clears the storefront cache on every committed catalog change; without it nothing is cached. */
  listen?: DbHandle['listen'] | undefined;
  /** Storefront responses cached per process (STOREFRONT_CACHE_ENTRIES; 0 = off; default 2000). */
  cacheEntries?: number | undefined;
  /** Cache-Control of storefront answers (STOREFRONT_MAX_AGE_S, STOREFRONT_SWR_S; default 30 s / 60 s). */
  httpCache?: StorefrontHttpCache | undefined;
  /** Storefront responses include exact stock counts per variant (default false). */
  showStockCounts?: boolean | undefined;
}
