import type { Permission } from '../identity/index.js';

/**
 * Which outbox events are the shop's "recent activity", what each one is about (the permission needed to see it and
 * the admin page it links to), and which parts of the dashboard it changes (the stream's topics).
 */

export type Topic = 'orders' | 'inventory' | 'activity';
export type ResourceType = 'order' | 'product' | 'inventoryItem' | 'customer';

interface ActivityType {
  /** Who may see the line (besides `orders:read`, which the dashboard itself needs). */
  permission: Permission;
  resource: ResourceType;
  /** Parts of the dashboard the event changes, besides `activity`. */
  topics: readonly Topic[];
}

const order = (topics: readonly Topic[]): ActivityType => ({ permission: 'orders:read', resource: 'order', topics });

/** Business events shown as activity lines. Order-side events that move stock also change the low-stock list. */
export const activityTypes: Readonly<Record<string, ActivityType>> = {
  'order.placed': order(['orders', 'inventory']),
  'payment.captured': order(['orders']),
  'fulfillment.created': order(['orders', 'inventory']),
  'fulfillment.shipped': order(['orders']),
  'fulfillment.delivered': order(['orders']),
  'order.cancelled': order(['orders', 'inventory']),
  'order.refunded': order(['orders']),
  'return.requested': order(['orders']),
  'return.received': order(['orders', 'inventory']),
  'product.created': { permission: 'catalog:read', resource: 'product', topics: ['inventory'] },
  'product.updated': { permission: 'catalog:read', resource: 'product', topics: [] },
  'inventory.adjusted': { permission: 'inventory:read', resource: 'inventoryItem', topics: ['inventory'] },
  'customer.created': { permission: 'customers:read', resource: 'customer', topics: [] },
};

/**
 * Events that change the dashboard's numbers without being activity lines. Stock crossing a threshold is what the
 * low-stock card shows; as lines they would bury the day's business (a delivery received brings one per variant).
 */
const numberTypes: Readonly<Record<string, { permission: Permission; topics: readonly Topic[] }>> = {
  'inventory.low_stock': { permission: 'inventory:read', topics: ['inventory'] },
  'inventory.back_in_stock': { permission: 'inventory:read', topics: ['inventory'] },
  'payment.authorized': { permission: 'orders:read', topics: ['orders'] },
  'payment.voided': { permission: 'orders:read', topics: ['orders'] },
  'payment.refunded': { permission: 'orders:read', topics: ['orders'] },
  'payment.failed': { permission: 'orders:read', topics: ['orders'] },
  'payment.reversed': { permission: 'orders:read', topics: ['orders'] },
  'order.completed': { permission: 'orders:read', topics: ['orders'] },
  'return.approved': { permission: 'orders:read', topics: ['orders'] },
  'return.rejected': { permission: 'orders:read', topics: ['orders'] },
};

/** Every event type the dashboard listens for (the stream reads only these). */
export const watchedTypes: readonly string[] = [...Object.keys(activityTypes), ...Object.keys(numberTypes)];

/** Activity event types a member with `permissions` may see. */
export function visibleActivityTypes(permissions: ReadonlySet<string>): string[] {
  return Object.entries(activityTypes)
    .filter(([, a]) => permissions.has(a.permission))
    .map(([type]) => type);
}

/**
 * The topics a batch of event types changes for a member with `permissions`: an event the member may not see
 * changes nothing for them, and `inventory` needs `inventory:read` whatever the event (the low-stock list is
 * shown to inventory readers only).
 */
export function topicsFor(types: Iterable<string>, permissions: ReadonlySet<string>): Topic[] {
  const out = new Set<Topic>();
  for (const type of types) {
    const a = activityTypes[type];
    const n = a ?? numberTypes[type];
    if (!n || !permissions.has(n.permission)) continue;
    if (a) out.add('activity');
    for (const t of n.topics) out.add(t);
  }
  if (!permissions.has('inventory:read')) out.delete('inventory');
  return (['orders', 'inventory', 'activity'] as const).filter((t) => out.has(t));
}

/** Where a resource lives in the admin app (paths under `/admin`). */
export function adminPath(resource: ResourceType, id: string): string {
  const base = { order: 'orders', product: 'products', inventoryItem: 'inventory', customer: 'customers' }[resource];
  return `/${base}/${encodeURIComponent(id)}`;
}
