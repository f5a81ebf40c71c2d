import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { App } from '../../platform/http/types.js';
import { adjustStock, transferStock } from './adjustments.service.js';
import type { InventoryDeps } from './deps.js';
import {
  AdjustBody,
  Components,
  ComponentsBody,
  Id,
  IdParams,
  Item,
  ItemQuery,
  ItemSettingsBody,
  Movement,
  MovementQuery,
  Page,
  TransferBody,
  tags,
} from './inventory.schemas.js';
import { getItem, listItems, setVariantComponents, updateItemSettings } from './items.service.js';
import { listMovements } from './movements.service.js';

/** Items, levels, adjustments, transfers and the ledger: `inventory:read` / `inventory:adjust`. */
export async function itemRoutes(app: App, deps: InventoryDeps) {
  const { db } = deps;
  const read = { auth: { permission: 'inventory:read' as const } };
  const adjust = { auth: { permission: 'inventory:adjust' as const } };

  app.get(
    '/v1/admin/inventory/items',
    {
      config: read,
      schema: {
        tags,
        summary: 'Inventory items with their levels, by SKU; filter by SKU, location or low stock',
        querystring: ItemQuery,
        response: { 200: Page(Item) },
      },
    },
    async (request) => listItems(db, request.query),
  );

  app.get(
    '/v1/admin/inventory/items/:id',
    { config: read, schema: { tags, summary: 'One item with its levels', params: IdParams, response: { 200: Item } } },
    async (request) => getItem(db, request.params.id),
  );

  app.patch(
    '/v1/admin/inventory/items/:id',
    {
      config: adjust,
      schema: {
        tags,
        summary: 'Item settings: tracked, allowBackorder, lowStockThreshold',
        description: '409 `BACKORDERS_OUTSTANDING` when turning backorders off while more is promised than on hand.',
        params: IdParams,
        body: ItemSettingsBody,
        response: { 200: Item },
      },
    },
    async (request) => updateItemSettings(deps, requestAuditContext(request), request.params.id, request.body),
  );

  app.post(
    '/v1/admin/inventory/items/:id/adjustments',
    {
      config: adjust,
      schema: {
        tags,
        summary: 'Adjust on hand at a location by `delta`, or `set` it with compare-and-set on `expectedOnHand`',
        description:
          '409 `ON_HAND_MISMATCH` (with `currentOnHand`) when `expectedOnHand` is stale; 409 `INSUFFICIENT_STOCK` ' +
          'when on hand would go below zero or available below zero without backorders. Send `Idempotency-Key` ' +
          'so a retried request is not applied twice.',
        params: IdParams,
        body: AdjustBody,
        response: { 200: Item },
      },
    },
    async (request) => adjustStock(deps, requestAuditContext(request), request.params.id, request.body),
  );

  app.post(
    '/v1/admin/inventory/transfers',
    {
      config: adjust,
      schema: {
        tags,
        summary: 'Move units between two locations (one transaction, two ledger rows)',
        description: '409 `INSUFFICIENT_STOCK` unless `quantity` is available at the source.',
        body: TransferBody,
        response: { 200: Item },
      },
    },
    async (request) => transferStock(deps, requestAuditContext(request), request.body),
  );

  app.get(
    '/v1/admin/inventory/items/:id/movements',
    {
      config: read,
      schema: {
        tags,
        summary: "An item's stock ledger, newest first",
        params: IdParams,
        querystring: MovementQuery,
        response: { 200: Page(Movement) },
      },
    },
    async (request) => listMovements(db, request.params.id, request.query),
  );

  app.put(
    '/v1/admin/inventory/variants/:variantId/components',
    {
      config: adjust,
      schema: {
        tags,
        summary: 'What one unit of a variant consumes (bundles and kits); replaces the list',
        params: Type.Object({ variantId: Id }),
        body: ComponentsBody,
        response: { 200: Components },
      },
    },
    async (request) =>
      setVariantComponents(deps, requestAuditContext(request), request.params.variantId, request.body.components),
  );
}
