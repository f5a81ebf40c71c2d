import type { Db, Queryable } from '../../platform/db/database.js';
import { latestEventsOfTypes } from '../../platform/outbox/admin.js';
import { sequenceEvents } from '../../platform/outbox/sequencer.js';
import { productTitles, variantTitles } from '../catalog/index.js';
import { customerViews } from '../identity/index.js';
import { type LowStockItem, lowStockItems } from '../inventory/index.js';
import {
  type CurrencySales,
  fulfillablePaymentStatuses,
  orderBacklog,
  orderNumbers,
  salesByCurrency,
  unfulfilledStatuses,
} from '../orders/index.js';
import { activityTypes, visibleActivityTypes } from './activity.js';
import type { DashboardDeps } from './dashboard.deps.js';
import { dayRanges } from './day-range.js';
import { type ActivityEvent, type ActivityLine, describeEvent, resourceIdOf } from './describe.js';

export const ACTIVITY_LIMIT = 15;
export const LOW_STOCK_LIMIT = 10;

type Money = { amount: number; currency: string };
type Day = { orders: number; sales: Money };

export interface Dashboard {
  timeZone: string;
  today: string;
  yesterday: string;
  generatedAt: string;
  sales: { currency: string; today: Day; yesterday: Day; yesterdaySoFar: Day }[];
  awaitingCapture: { count: number; filter: Record<string, string[]> };
  awaitingFulfillment: { count: number; filter: Record<string, string[]> };
  lowStock?: {
    total: number;
    items: (LowStockItem & { productId: string | null; title: string | null; variantTitle: string | null })[];
  };
  activity: ActivityLine[];
}

const day = (d: { orders: number; sales: number }, currency: string): Day => ({
  orders: d.orders,
  sales: { amount: d.sales, currency },
});
const zero = { orders: 0, sales: 0 };

/** Every currency of the shop (regions first, in their order), then any other one orders were placed in. */
function salesRows(shop: string[], rows: CurrencySales[]): Dashboard['sales'] {
  const byCurrency = new Map(rows.map((r) => [r.currency, r]));
  const currencies = [...new Set([...shop, ...rows.map((r) => r.currency)])];
  return currencies.map((c) => {
    const r = byCurrency.get(c);
    return {
      currency: c,
      today: day(r?.today ?? zero, c),
      yesterday: day(r?.yesterday ?? zero, c),
      yesterdaySoFar: day(r?.yesterdaySoFar ?? zero, c),
    };
  });
}

/** The newest activity the member may see, described; names read in one batch per kind. */
async function recentActivity(db: Db, permissions: ReadonlySet<string>): Promise<ActivityLine[]> {
  const types = visibleActivityTypes(permissions);
  if (types.length === 0) return [];
  const events: ActivityEvent[] = await latestEventsOfTypes(db, types, ACTIVITY_LIMIT);
  const idsOf = (kind: string, needs?: (e: ActivityEvent) => boolean) =>
    events
      .filter((e) => activityTypes[e.type]?.resource === kind && (needs?.(e) ?? true))
      .map(resourceIdOf)
      .filter((id): id is string => id !== undefined);
  const [numbers, titles, customers] = await Promise.all([
    orderNumbers(
      db,
      idsOf('order', (e) => typeof e.payload.number !== 'number'),
    ),
    productTitles(db, idsOf('product')),
    customerViews(db, idsOf('customer')),
  ]);
  const names = {
    orderNumbers: numbers,
    productTitles: titles,
    customerEmails: new Map(customers.map((c) => [c.id, c.email])),
  };
  return events.map((e) => describeEvent(e, names)).filter((l): l is ActivityLine => l !== null);
}

async function lowStock(db: Queryable): Promise<NonNullable<Dashboard['lowStock']>> {
  const low = await lowStockItems(db, LOW_STOCK_LIMIT);
  const titles = await variantTitles(
    db,
    low.items.flatMap((i) => (i.variantId ? [i.variantId] : [])),
  );
  return {
    total: low.total,
    items: low.items.map((i) => {
      const t = i.variantId ? titles.get(i.variantId) : undefined;
      return {
        ...i,
        productId: t?.productId ?? null,
        title: t?.productTitle ?? null,
        variantTitle: t?.variantTitle ?? null,
      };
    }),
  };
}

/**
 * The home page's numbers for a member with `permissions` (who holds `orders:read`): today's and yesterday's orders
 * and sales per currency in the shop's time zone, the order backlog, low-stock items (only with `inventory:read`)
 * and recent activity (only the kinds the member may read). Events committed but not numbered yet are sequenced
 * first, so a change the caller just made is in the activity.
 */
export async function getDashboard(deps: DashboardDeps, permissions: ReadonlySet<string>): Promise<Dashboard> {
  const now = deps.now?.() ?? new Date();
  const r = dayRanges(deps.timeZone, now);
  // Numbering is a write (primary); then the reads, on the replica once it has replayed what the primary has now,
  // so the caller's own changes (and the events just numbered) are in the answer.
  await sequenceEvents(deps.db);
  await deps.fenceReads();
  const db = deps.readDb;
  const [rows, backlog, shop, low, activity] = await Promise.all([
    salesByCurrency(db, {
      today: [r.todayStart, r.tomorrowStart],
      yesterday: [r.yesterdayStart, r.todayStart],
      yesterdayUntil: r.yesterdaySameTime,
    }),
    orderBacklog(db),
    deps.shopCurrencies(db),
    permissions.has('inventory:read') ? lowStock(db) : undefined,
    recentActivity(db, permissions),
  ]);
  return {
    timeZone: deps.timeZone,
    today: r.today,
    yesterday: r.yesterday,
    generatedAt: now.toISOString(),
    sales: salesRows(shop, rows),
    awaitingCapture: {
      count: backlog.awaitingCapture,
      filter: { status: ['placed'], paymentStatus: ['authorized'] },
    },
    awaitingFulfillment: {
      count: backlog.awaitingFulfillment,
      filter: {
        status: ['placed'],
        paymentStatus: [...fulfillablePaymentStatuses],
        fulfillmentStatus: [...unfulfilledStatuses],
      },
    },
    ...(low ? { lowStock: low } : {}),
    activity,
  };
}
