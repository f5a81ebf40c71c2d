import type { Db } from '../../platform/db/database.js';
import type { InventoryDeps } from '../inventory/index.js';
import type { DiscountsFor } from './carts.view.js';

/** What the cart commands need; built once in app.ts. */
export interface CartDeps {
  db: Db;
  /** Inventory's deps (holds update the catalog read model in the same transaction). */
  inventory: InventoryDeps;
  /** How long a hold lasts (HOLD_TTL_SECONDS). */
  holdTtlSeconds: number;
  /** STOCK_HOLD_AT: hold on every line change, or only when checkout starts (`holdCartStock`). */
  holdAt: 'add_to_cart' | 'checkout';
  /**
   * The promotion engine's seam: discounts for a cart. Required: every path that prices a cart — the storefront, the
   * webhook applier, the worker — must price it the same way, or a paid, discounted cart looks changed.
   */
  discountsFor: DiscountsFor;
}
