import { type TSchema, Type } from 'typebox';
import { adminProductViews, ProductView, StorefrontChange } from './modules/catalog/index.js';
import { CustomerSchema, customerViews } from './modules/identity/index.js';
import { InventoryItemView, itemViews } from './modules/inventory/index.js';
import { adminOrderViews, OrderDetail } from './modules/orders/index.js';
import { PaymentResource, paymentResources } from './modules/payments/index.js';
import type { RenderedEvent, WebhookEventCatalogue, WebhookEventType } from './modules/webhooks/index.js';
import type { Db } from './platform/db/database.js';
import type { EventType, OutboxEvent } from './platform/outbox/outbox.js';

/**
 * The event catalogue: for every event type the code declares (`EventTypes`, filled by each module's
 * `<m>.events.ts`), either a webhook entry — what the event means and which resource its `data` is —
 * or the reason it stays internal. `entries` must name every declared type (`satisfies Record<EventType, …>`),
 * so a new type does not compile until someone decides what merchant systems get.
 *
 * A webhook's `data` is the resource as the admin API shows it, read when the event is fanned out (so a
 * consumer gets the current state; the envelope's `sequence` orders updates), in one statement or two per
 * resource kind for a whole batch. Each module renders its own resources. A few events are not about one
 * resource but carry what a consumer needs in their payload (the CDN purge keys of
 * `catalog.storefront_changed`): their `data` is the payload, as its schema says.
 */

/** What a resource that no longer exists (deleted since the event) is rendered as. */
export const DeletedResource = Type.Object(
  { id: Type.String(), deleted: Type.Literal(true) },
  { description: 'The resource no longer exists (deleted since the event).' },
);

type Loaded = { id: string; data: unknown; orderId?: string | null };

/** One kind of resource that webhooks carry: its admin schema, the id an event names, and a batch read. */
interface ResourceKind {
  /** Component name under `#/components/schemas` in /openapi.json. */
  component: string;
  schema: TSchema;
  idOf(event: OutboxEvent): string | undefined;
  load(db: Db, ids: string[]): Promise<Loaded[]>;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export type ResourceKindName = 'product' | 'order' | 'payment' | 'inventoryItem' | 'customer';

export const resourceKinds: Record<ResourceKindName, ResourceKind> = {
  product: {
    component: 'ProductResource',
    schema: ProductView,
    idOf: (e) => text(e.payload.productId) ?? e.aggregateId ?? undefined,
    load: async (db, ids) => (await adminProductViews(db, ids)).map((p) => ({ id: p.id, data: p })),
  },
  order: {
    component: 'OrderResource',
    schema: OrderDetail,
    // Return events are about a return (`aggregateId`), every order-side payload names its order.
    idOf: (e) => text(e.payload.orderId) ?? undefined,
    load: async (db, ids) => (await adminOrderViews(db, ids)).map((o) => ({ id: o.id, data: o })),
  },
  payment: {
    component: 'PaymentResource',
    schema: PaymentResource,
    idOf: (e) => text(e.payload.paymentId) ?? e.aggregateId ?? undefined,
    load: async (db, ids) => (await paymentResources(db, ids)).map((p) => ({ id: p.id, data: p, orderId: p.orderId })),
  },
  inventoryItem: {
    component: 'InventoryItemResource',
    schema: InventoryItemView,
    idOf: (e) => text(e.payload.itemId) ?? e.aggregateId ?? undefined,
    load: async (db, ids) => (await itemViews(db, ids)).map((i) => ({ id: i.id, data: i })),
  },
  customer: {
    component: 'CustomerResource',
    schema: CustomerSchema,
    idOf: (e) => text(e.payload.customerId) ?? e.aggregateId ?? undefined,
    load: async (db, ids) => (await customerViews(db, ids)).map((c) => ({ id: c.id, data: c })),
  },
};

interface ResourceEntry {
  resource: ResourceKindName;
  description: string;
  /** The event says the resource is gone: `data` is always `{ id, deleted: true }`. */
  deletion?: true;
}
/** `data` is the event's payload (no resource is read); such events are ordered on nothing but themselves. */
interface PayloadEntry {
  payload: { component: string; schema: TSchema };
  description: string;
}
type WebhookEntry = ResourceEntry | PayloadEntry;
interface InternalEntry {
  /** Why merchant systems do not get this event. */
  internal: string;
}
type Entry = WebhookEntry | InternalEntry;

const orderData = 'The order as `GET /v1/admin/orders/{id}` returns it (lines, fulfilments, returns, timeline).';
const productData = 'The product as `GET /v1/admin/products/{id}` returns it.';
const paymentData =
  'The payment (amounts authorized, captured and refunded, gateway reference, disputes); ordered with its order.';
const itemData =
  'The inventory item as `GET /v1/admin/inventory/items/{id}` returns it (levels per location, available, lowStock).';

export const entries = {
  'product.created': {
    resource: 'product',
    description: `A product was created (admin API or CSV import). ${productData}`,
  },
  'product.updated': {
    resource: 'product',
    description: `A product, its variants, prices or memberships changed. ${productData}`,
  },
  'product.deleted': {
    resource: 'product',
    deletion: true,
    description: 'A product was deleted: `{ id, deleted: true }`.',
  },
  'order.placed': { resource: 'order', description: `An order was placed: its payment went through. ${orderData}` },
  'order.cancelled': {
    resource: 'order',
    description: `An order was cancelled (by staff, or its payment failed or was abandoned). ${orderData}`,
  },
  'order.completed': { resource: 'order', description: `Every line of the order was delivered. ${orderData}` },
  'order.refunded': { resource: 'order', description: `Money was refunded to the buyer. ${orderData}` },
  'fulfillment.created': {
    resource: 'order',
    description: `A parcel was prepared (stock left the location); see the order's \`fulfillments\`. ${orderData}`,
  },
  'fulfillment.shipped': {
    resource: 'order',
    description: `A parcel was shipped (tracking on the fulfilment). ${orderData}`,
  },
  'fulfillment.delivered': { resource: 'order', description: `A parcel was delivered. ${orderData}` },
  'return.requested': {
    resource: 'order',
    description: `A return was requested; see the order's \`returns\`. ${orderData}`,
  },
  'return.approved': { resource: 'order', description: `A return was approved. ${orderData}` },
  'return.rejected': { resource: 'order', description: `A return was rejected. ${orderData}` },
  'return.received': { resource: 'order', description: `Returned items arrived (and were restocked). ${orderData}` },
  'payment.authorized': { resource: 'payment', description: `A payment was authorized. ${paymentData}` },
  'payment.captured': { resource: 'payment', description: `Money was captured. ${paymentData}` },
  'payment.refunded': { resource: 'payment', description: `Money was refunded. ${paymentData}` },
  'payment.voided': { resource: 'payment', description: `An authorization was released. ${paymentData}` },
  'payment.failed': { resource: 'payment', description: `A payment or a capture/refund was declined. ${paymentData}` },
  'payment.reversed': {
    resource: 'payment',
    description: `The gateway took back a capture (a refund made at the gateway). ${paymentData}`,
  },
  'payment.refund_failed': {
    resource: 'payment',
    description: `A refund the gateway had accepted failed later: the money stays captured. ${paymentData}`,
  },
  'payment.dispute_opened': { resource: 'payment', description: `The buyer disputed the payment. ${paymentData}` },
  'payment.dispute_closed': { resource: 'payment', description: `A dispute was closed (won or lost). ${paymentData}` },
  'payment.released': {
    resource: 'payment',
    description: `Money held for an attempt that never became an order was given back. ${paymentData}`,
  },
  'catalog.storefront_changed': {
    payload: { component: 'StorefrontChange', schema: StorefrontChange },
    description:
      'Storefront answers changed (a product edit, price, publish or unpublish, stock status, category or collection change): purge `keys` from your CDN (`Surrogate-Key` / `Cache-Tag` of `GET /v1/store/products…`). Purges need no order: each event is delivered on its own, never held back by another.',
  },
  'inventory.low_stock': {
    resource: 'inventoryItem',
    description: `Available stock fell to or below the item's low-stock threshold. ${itemData}`,
  },
  'inventory.back_in_stock': {
    resource: 'inventoryItem',
    description: `A sold-out item is available again. ${itemData}`,
  },
  'inventory.adjusted': {
    resource: 'inventoryItem',
    description: `Staff adjusted on hand at a location (received, damaged, cycle count…). ${itemData}`,
  },
  'customer.created': {
    resource: 'customer',
    description:
      'A customer registered. The customer as `GET /v1/store/customers/me` shows it (id, email, names, emailVerified).',
  },
  'customer.erased': {
    resource: 'customer',
    description:
      "A customer's personal data was erased at their request: erase it wherever you copied it (CRM, mailing list). The customer as it is now: only placeholders.",
  },
  'cart.completed': {
    internal: "checkout's hand-off once the order exists; merchants get `order.placed` for the same moment",
  },
  'payment.mismatch': {
    internal:
      'an operations alarm (ledger vs gateway, or an orphan payment that could not be released), often about no payment of ours; read it in `backroom payments reconcile` and the events API',
  },
  'notification.queued': { internal: 'platform plumbing: the queued email is sent by its handler' },
} satisfies Record<EventType, Entry>;

const isWebhook = (e: Entry): e is WebhookEntry => 'resource' in e || 'payload' in e;
const isPayload = (e: WebhookEntry): e is PayloadEntry => 'payload' in e;

/** The event types merchants never receive, with the reason. */
export const internalEventTypes: ReadonlyMap<string, string> = new Map(
  Object.entries(entries as Record<string, Entry>).flatMap(([t, e]) => (isWebhook(e) ? [] : [[t, e.internal]])),
);

/** The JSON schema of a webhook type's `data` with refs into `#/components/schemas` (for the API document). */
export function dataRefSchema(entry: WebhookEntry): Record<string, unknown> {
  if (isPayload(entry)) return { $ref: `#/components/schemas/${entry.payload.component}` };
  const deleted = { $ref: '#/components/schemas/DeletedResource' };
  if (entry.deletion) return deleted;
  return { anyOf: [{ $ref: `#/components/schemas/${resourceKinds[entry.resource].component}` }, deleted] };
}

export const webhookEntries: ReadonlyMap<string, WebhookEntry> = new Map(
  Object.entries(entries as Record<string, Entry>).flatMap(([t, e]) => (isWebhook(e) ? [[t, e] as const] : [])),
);

/** The payload schemas that webhooks carry as `data`, by component name (for `#/components/schemas`). */
export const payloadSchemas: ReadonlyMap<string, TSchema> = new Map(
  [...webhookEntries.values()].flatMap((e) => (isPayload(e) ? [[e.payload.component, e.payload.schema] as const] : [])),
);

export function buildEventCatalogue(): WebhookEventCatalogue {
  const types = new Map<string, WebhookEventType>(
    [...webhookEntries].map(([type, e]) => [
      type,
      {
        description: e.description,
        data: isPayload(e)
          ? e.payload.schema
          : e.deletion
            ? DeletedResource
            : Type.Union([resourceKinds[e.resource].schema, DeletedResource]),
      },
    ]),
  );
  return { types, render: renderEvents };
}

/**
 * Renders a batch: the events' resources are read per kind, each kind in one batch read (products, orders and
 * payments one statement each, inventory items two), never one per event. A resource gone since the event renders
 * as `{ id, deleted: true }`. The ordering key: the order for everything about an order (payments of an order
 * included), else the resource itself.
 */
export async function renderEvents(db: Db, events: readonly OutboxEvent[]): Promise<Map<string, RenderedEvent>> {
  const wanted = new Map<ResourceKindName, Set<string>>();
  const planned: { event: OutboxEvent; entry: ResourceEntry; id: string }[] = [];
  const out = new Map<string, RenderedEvent>();
  for (const event of events) {
    const entry = webhookEntries.get(event.type);
    if (!entry) continue;
    if (isPayload(entry)) {
      out.set(event.id, { resourceId: event.id, data: event.payload });
      continue;
    }
    // An event that names no resource (none does today) keys on itself: delivered, never blocking another.
    const id = resourceKinds[entry.resource].idOf(event) ?? event.id;
    planned.push({ event, entry, id });
    if (!entry.deletion) {
      const set = wanted.get(entry.resource) ?? new Set<string>();
      set.add(id);
      wanted.set(entry.resource, set);
    }
  }
  const loaded = new Map<string, Loaded>();
  for (const [kind, ids] of wanted) {
    for (const r of await resourceKinds[kind].load(db, [...ids])) loaded.set(`${kind}:${r.id}`, r);
  }
  for (const { event, entry, id } of planned) {
    const found = entry.deletion ? undefined : loaded.get(`${entry.resource}:${id}`);
    const data = found?.data ?? { id, deleted: true as const };
    const orderId = found?.orderId ?? text(event.payload.orderId);
    const resourceId = entry.resource === 'payment' && orderId ? orderId : id;
    out.set(event.id, { resourceId, data });
  }
  return out;
}
