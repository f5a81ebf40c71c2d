import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { queueNotification } from '../../platform/notifications/notifications.js';
import type { EventHandler } from '../../platform/outbox/handlers.js';
import type { OutboxEvent } from '../../platform/outbox/outbox.js';
import './identity.tables.js';
import { rolePermissions } from './permissions.js';

/**
 * Stock alerts by email: inventory writes `inventory.low_stock` / `inventory.back_in_stock` when an item's
 * sellable stock crosses a line; this handler queues one email per staff member who opted in
 * (`stock_alerts`), is active and whose role may read inventory. Everything the email says comes from
 * the event payload (identity reads no inventory table) plus the product and variant titles the app
 * wires in from catalog.
 */

/** The stock events that are mailed, and the template of each. */
export const STOCK_ALERT_TEMPLATES = {
  'inventory.low_stock': 'stock-low',
  'inventory.back_in_stock': 'stock-back',
} as const;

export type StockAlertEventType = keyof typeof STOCK_ALERT_TEMPLATES;
export const STOCK_ALERT_EVENT_TYPES = Object.keys(STOCK_ALERT_TEMPLATES) as StockAlertEventType[];

export interface StockAlertDeps {
  db: Db;
  mail: { shopName: string; templatesDir: string; adminUrl: string };
  /**
   * "Product / variant" titles by variant id (catalog's, wired by the app: identity imports no other module).
   * Variants it does not know are named by SKU alone.
   */
  variantNames: (variantIds: readonly string[]) => Promise<ReadonlyMap<string, string>>;
}

/**
 * Claims are kept this long: the outbox redelivers within minutes to hours; a dead event retried by an
 * operator weeks later is the only redelivery this could miss.
 */
const CLAIM_RETENTION_DAYS = 90;

interface StockEvent {
  itemId: string;
  sku: string;
  variantId: string | null;
  available: number;
  previous: number;
  lowStockThreshold: number;
  locations: { name: string; available: number; changed: boolean }[];
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** The payload inventory writes (availability.ts); null when it is not one (a bug upstream, logged). */
function stockEvent(payload: Record<string, unknown>): StockEvent | null {
  const { itemId, sku, variantId, available, previous, lowStockThreshold, locations } = payload;
  if (typeof itemId !== 'string' || typeof sku !== 'string') return null;
  if (!isInt(available) || !isInt(previous) || !isInt(lowStockThreshold)) return null;
  if (variantId !== null && typeof variantId !== 'string') return null;
  // Events written before the payload carried locations have none.
  const list = Array.isArray(locations) ? (locations as Record<string, unknown>[]) : [];
  return {
    itemId,
    sku,
    variantId,
    available,
    previous,
    lowStockThreshold,
    locations: list
      .filter((l) => typeof l?.name === 'string' && isInt(l.available))
      .map((l) => ({ name: l.name as string, available: l.available as number, changed: l.changed === true })),
  };
}

function locationLines(e: StockEvent): string {
  if (e.locations.length === 0) return 'No active location holds this item.';
  const lines = e.locations.map((l) => `- ${l.name}: ${l.available}${l.changed ? ' (changed now)' : ''}`);
  return ['Sellable stock by location:', ...lines].join('\n');
}

/**
 * The outbox handler for both stock event types. Idempotent per (event, staff member): the claim rows
 * and the emails commit together, so a redelivered event queues nothing for members already mailed,
 * and two relays racing on one event queue each email once (the second insert waits for the first).
 */
export function stockAlertHandler(deps: StockAlertDeps): EventHandler {
  return async (event: OutboxEvent, ctx) => {
    const template = STOCK_ALERT_TEMPLATES[event.type as StockAlertEventType];
    if (!template) return;
    const stock = stockEvent(event.payload);
    if (!stock) {
      ctx.logger.warn({ eventId: event.id, type: event.type }, 'stock alert: payload is not a stock event; skipped');
      return;
    }
    // Read before the transaction: titles are a nicety, and a retried transaction need not repeat it.
    const names = stock.variantId ? await deps.variantNames([stock.variantId]) : new Map<string, string>();
    const title = stock.variantId ? names.get(stock.variantId) : undefined;
    const data = {
      shopName: deps.mail.shopName,
      sku: stock.sku,
      item: title ? `${title} (SKU ${stock.sku})` : `SKU ${stock.sku}`,
      available: String(stock.available),
      previous: String(stock.previous),
      threshold: String(stock.lowStockThreshold),
      locations: locationLines(stock),
      link: `${deps.mail.adminUrl.replace(/\/+$/, '')}/inventory/items/${encodeURIComponent(stock.itemId)}`,
    };
    const queued = await withTransaction(deps.db, async (tx) => {
      const staff = await tx
        .selectFrom('staff_user as s')
        .innerJoin('role as r', 'r.id', 's.role_id')
        .select(['s.id', 's.email', 'r.id as role_id', 'r.permissions'])
        .where('s.stock_alerts', '=', true)
        .where('s.status', '=', 'active')
        .orderBy('s.id')
        .execute();
      // Built-in roles' permissions live in code, so the check is here rather than in SQL.
      const readers = staff.filter((s) =>
        rolePermissions({ id: s.role_id, permissions: s.permissions }).includes('inventory:read'),
      );
      if (readers.length === 0) return 0;
      const claimed = await tx
        .insertInto('staff_stock_alert')
        .values(readers.map((s) => ({ event_id: event.id, staff_id: s.id })))
        .onConflict((oc) => oc.columns(['event_id', 'staff_id']).doNothing())
        .returning('staff_id')
        .execute();
      const mine = new Set(claimed.map((c) => c.staff_id));
      for (const s of readers) {
        if (!mine.has(s.id)) continue;
        await queueNotification(tx, { template, to: s.email, data, templatesDir: deps.mail.templatesDir });
      }
      await tx
        .deleteFrom('staff_stock_alert')
        .where('created_at', '<', sql<Date>`now() - make_interval(days => ${CLAIM_RETENTION_DAYS})`)
        .execute();
      return mine.size;
    });
    if (queued > 0) ctx.logger.info({ eventId: event.id, type: event.type, queued }, 'stock alert emails queued');
  };
}
