import { activityTypes, adminPath, type ResourceType } from './activity.js';

/** One line of "recent activity": what happened, in words, and the resource to open. */
export interface ActivityLine {
  id: string;
  type: string;
  at: string;
  /** Commit-order position of the event (string of digits). */
  sequence: string;
  description: string;
  resource: { type: ResourceType; id: string; path: string };
}

export interface ActivityEvent {
  id: string;
  type: string;
  aggregateId: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
  position: string;
}

/** Names for the ids events carry, read in one batch per kind before describing. */
export interface Names {
  orderNumbers: ReadonlyMap<string, number>;
  productTitles: ReadonlyMap<string, string>;
  customerEmails: ReadonlyMap<string, string>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Minor units as the currency is written (`€34.90`); display only — amounts are never computed here. */
export function formatAmount(amount: number, currency: string): string {
  try {
    const f = new Intl.NumberFormat('en', { style: 'currency', currency });
    return f.format(amount / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${amount} ${currency}`;
  }
}

const money = (p: Record<string, unknown>) => {
  const amount = num(p.amount) ?? num(p.total);
  const currency = str(p.currency);
  return amount !== undefined && currency ? formatAmount(amount, currency) : undefined;
};

const units = (p: Record<string, unknown>) => {
  const lines = Array.isArray(p.lines) ? (p.lines as { quantity?: unknown }[]) : [];
  const n = lines.reduce((sum, l) => sum + (num(l.quantity) ?? 0), 0);
  return n === 1 ? '1 item' : `${n} items`;
};

/** The id of the resource an event is about (orders for order-side events, whatever the aggregate). */
export function resourceIdOf(e: ActivityEvent): string | undefined {
  const kind = activityTypes[e.type]?.resource;
  const p = e.payload;
  if (kind === 'order') return str(p.orderId);
  if (kind === 'product') return str(p.productId) ?? e.aggregateId ?? undefined;
  if (kind === 'inventoryItem') return str(p.itemId) ?? e.aggregateId ?? undefined;
  if (kind === 'customer') return str(p.customerId) ?? e.aggregateId ?? undefined;
  return undefined;
}

function sentence(e: ActivityEvent, names: Names, id: string): string {
  const p = e.payload;
  const number = num(p.number) ?? names.orderNumbers.get(id);
  const o = number !== undefined ? `Order #${number}` : 'An order';
  const inOrder = number !== undefined ? `order #${number}` : 'an order';
  const amount = money(p);
  const product = names.productTitles.get(id);
  const sku = str(p.sku);
  switch (e.type) {
    case 'order.placed':
      return `${o} placed${str(p.email) ? ` by ${p.email}` : ''}${amount ? ` — ${amount}` : ''}`;
    case 'payment.captured':
      return `${amount ?? 'Payment'} captured for ${inOrder}`;
    case 'fulfillment.created':
      return `${o}: ${units(p)} fulfilled`;
    case 'fulfillment.shipped':
      return `${o} shipped${str(p.carrier) ? ` with ${p.carrier}` : ''}${str(p.trackingNumber) ? ` (${p.trackingNumber})` : ''}`;
    case 'fulfillment.delivered':
      return `${o}: a parcel was delivered`;
    case 'order.cancelled':
      return `${o} cancelled${str(p.reason) ? ` (${String(p.reason).replaceAll('_', ' ')})` : ''}`;
    case 'order.refunded':
      return `${amount ?? 'Money'} refunded on ${inOrder}`;
    case 'return.requested':
      return `${o}: return of ${units(p)} requested`;
    case 'return.received':
      return `${o}: returned ${units(p)} received`;
    case 'product.created':
      return product ? `Product “${product}” created` : 'A product was created (since deleted)';
    case 'product.updated':
      return product ? `Product “${product}” updated` : 'A product was updated (since deleted)';
    case 'inventory.adjusted': {
      const delta = num(p.delta);
      const change = delta === undefined ? 'adjusted' : `${delta > 0 ? '+' : ''}${delta}`;
      const where = str(p.locationCode) ? ` at ${p.locationCode}` : '';
      return `Stock of ${sku ?? 'an item'} ${delta === undefined ? change : `adjusted ${change}`}${where}${str(p.reason) ? ` (${String(p.reason).replaceAll('_', ' ')})` : ''}`;
    }
    case 'customer.created':
      return `Customer ${names.customerEmails.get(id) ?? id} registered`;
    default:
      return e.type;
  }
}

/** The activity line of an event, or null when it names no resource (a malformed payload is skipped, not shown). */
export function describeEvent(e: ActivityEvent, names: Names): ActivityLine | null {
  const kind = activityTypes[e.type]?.resource;
  const id = resourceIdOf(e);
  if (!kind || !id) return null;
  return {
    id: e.id,
    type: e.type,
    at: e.createdAt.toISOString(),
    sequence: e.position,
    description: sentence(e, names, id),
    resource: { type: kind, id, path: adminPath(kind, id) },
  };
}
