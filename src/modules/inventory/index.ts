/**
 * inventory — stock locations, items, levels, the stock ledger, cart holds and order reservations.
 * The only file other modules import.
 *
 * Every stock change is one conditional SQL statement that locks the levels it touches in
 * (item_id, location_id) order, refuses (changing nothing) if any counter would break its rule,
 * and writes the append-only ledger row(s) together with the level. Functions taking `tx` run in
 * the caller's transaction and call `deps.onVariantStockChanged` in it.
 */

import type { App } from '../../platform/http/types.js';
import './inventory.events.js';
import './inventory.tables.js';
import { itemRoutes } from './items.routes.js';
import { locationRoutes } from './locations.routes.js';
import { streamRoutes } from './stream.routes.js';

export {
  type AdjustInput,
  type AdjustmentReason,
  adjustmentReasons,
  adjustStock,
  type TransferInput,
  transferStock,
} from './adjustments.service.js';
export { stockSnapshot } from './availability.js';
export type { InventoryDeps, VariantStockUpdate } from './deps.js';
export { type CommitInput, commitHold, releaseExpiredHolds } from './holds.commit.service.js';
export {
  assertStockLikely,
  type HoldInput,
  type HoldResult,
  hold,
  release,
  reserve,
  type StockLine,
} from './holds.service.js';
export {
  onHandByVariant,
  StockChangedDuringImportError,
  type StockTarget,
  setStockLevels,
} from './import-stock.service.js';
export {
  BackordersOutstandingError,
  HoldExpiredError,
  InsufficientStockError,
  LevelShortError,
  OnHandMismatchError,
  ReservationInsufficientError,
  type ShortLine,
} from './inventory.errors.js';
export {
  ensureInventoryItems,
  getItem,
  type ItemView,
  /** Items with their levels by id, two statements for any number (webhook rendering). */
  itemViews,
  listItems,
  setVariantComponents,
  updateItemSettings,
} from './items.service.js';
export { type MovementReason, movementReasons } from './levels.sql.js';
export { createLocation, listLocations, type StockLocation, updateLocation } from './locations.service.js';
/** Tracked items at or below their low-stock threshold, emptiest first, with their active locations (dashboard). */
export { type LowStockItem, lowStockItems } from './low-stock.read.js';
export { type LedgerDifference, listMovements, verifyLedger } from './movements.service.js';
/** Where an order's reserved units are (`reservedLocationFor`), the default active location, whether one exists. */
export { defaultLocation, locationExists, reservedLocationFor } from './reservations.locations.js';
export {
  fulfil,
  type OrderStockInput,
  type OrderStockLine,
  releaseReservation,
  restock,
} from './reservations.service.js';

import type { InventoryDeps } from './deps.js';

/** The admin item view's schema (`GET /v1/admin/inventory/items/{id}`), for the webhook catalogue. */
export { Item as InventoryItemView } from './inventory.schemas.js';

/** Admin routes: locations, items and levels, adjustments, transfers, ledger, live stream. */
export async function inventoryRoutes(app: App, deps: InventoryDeps): Promise<void> {
  await locationRoutes(app, deps);
  await itemRoutes(app, deps);
  await streamRoutes(app, deps);
}
