import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { type FieldError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { queueNotification } from '../../platform/notifications/notifications.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { defaultLocation, fulfil, locationExists, reservedLocationFor } from '../inventory/index.js';
import {
  FulfillmentLinesInvalidError,
  FulfillmentLocationRequiredError,
  InvalidFulfillmentTransitionError,
  OrderNotFulfillableError,
  UnknownOrderLineError,
} from './fulfillments.errors.js';
import type { FulfillmentT } from './fulfillments.schemas.js';
import { completeOrderIfDone, syncFulfillmentStatus } from './fulfillments.status.js';
import { findFulfillment } from './fulfillments.view.js';
import type { OrderDeps } from './orders.deps.js';
import { type OrderActor, timeline } from './orders.service.js';
import './fulfillments.tables.js';

/**
 * Fulfilment commands. Each runs in one transaction that first locks the order row, so two
 * fulfilments (or a fulfilment and a cancellation) of one order run one after the other and the
 * second sees what the first did; then order lines, stock levels (inventory), parcels, the derived
 * fulfillment status, timeline, audit row and outbox event change together or not at all.
 */

export interface CreateFulfillmentInput {
  orderId: string;
  lines: { lineId: string; quantity: number }[];
  /** Ship from here; default: the location holding the order's reserved units of every line. */
  locationId?: string | undefined;
}

export interface ShipFulfillmentInput {
  orderId: string;
  fulfillmentId: string;
  carrier: string;
  trackingNumber: string;
  trackingUrl?: string | undefined;
  notifyCustomer?: boolean | undefined;
}

interface LockedOrder {
  id: string;
  number: number;
  email: string;
  status: string;
}

/** Locks the order row; only `placed` orders are fulfilled, shipped or delivered. */
async function lockPlacedOrder(tx: Tx, orderId: string): Promise<LockedOrder> {
  const order = await tx
    .selectFrom('order')
    .select(['id', 'number', 'email', 'status'])
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!order) throw new NotFoundError('Order', orderId);
  if (order.status !== 'placed') throw new OrderNotFulfillableError(orderId, order.status);
  return order;
}

async function view(tx: Tx, orderId: string, fulfillmentId: string): Promise<FulfillmentT> {
  const f = await findFulfillment(tx, orderId, fulfillmentId);
  if (!f) throw new NotFoundError('Fulfillment', fulfillmentId);
  return f;
}

/** Each requested line must be the order's and within what is left to fulfil (checked under the order lock). */
async function checkLines(tx: Tx, orderId: string, lines: CreateFulfillmentInput['lines']) {
  const seen = new Set<string>();
  const dupes: FieldError[] = [];
  lines.forEach((l, i) => {
    if (seen.has(l.lineId)) dupes.push({ path: `/body/lines/${i}/lineId`, message: 'appears more than once' });
    seen.add(l.lineId);
  });
  if (dupes.length > 0) throw new ValidationError(dupes);
  const rows = await tx
    .selectFrom('order_line')
    .select(['id', 'variant_id', 'quantity', 'fulfilled_quantity'])
    .where('order_id', '=', orderId)
    .where(
      'id',
      'in',
      lines.map((l) => l.lineId),
    )
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const unknown = lines.flatMap((l, i) =>
    byId.has(l.lineId) ? [] : [{ path: `/body/lines/${i}/lineId`, message: 'is not a line of this order' }],
  );
  if (unknown.length > 0) throw new UnknownOrderLineError(unknown);
  const over = lines.flatMap((l, i) => {
    const r = byId.get(l.lineId);
    const left = r ? r.quantity - r.fulfilled_quantity : 0;
    return l.quantity > left
      ? [{ path: `/body/lines/${i}/quantity`, message: `only ${left} of ${r?.quantity ?? 0} left to fulfil` }]
      : [];
  });
  if (over.length > 0) throw new FulfillmentLinesInvalidError(over);
  return lines.map((l) => ({ ...l, variantId: byId.get(l.lineId)?.variant_id ?? null }));
}

async function resolveLocation(
  tx: Tx,
  orderId: string,
  given: string | undefined,
  stock: { variantId: string; quantity: number }[],
): Promise<string> {
  if (given !== undefined) {
    if (!(await locationExists(tx, given))) {
      throw new ValidationError([{ path: '/body/locationId', message: 'is not a stock location' }]);
    }
    return given;
  }
  const reserved = stock.length > 0 ? await reservedLocationFor(tx, orderId, stock) : undefined;
  if (reserved === null) throw new FulfillmentLocationRequiredError();
  const location = reserved ?? (await defaultLocation(tx));
  if (!location) throw new FulfillmentLocationRequiredError();
  return location;
}

/**
 * Fulfils some or all units of a placed order from one location: the lines' fulfilled quantities
 * grow (never past what was ordered), the reserved units leave stock (ledger reason `fulfil`), a
 * `created` parcel is recorded, the fulfillment status moves, and `fulfillment.created` is emitted.
 * @throws NotFoundError; OrderNotFulfillableError (409) unless placed; UnknownOrderLineError /
 *   FulfillmentLinesInvalidError (422); FulfillmentLocationRequiredError (422); ValidationError (400);
 *   ReservationInsufficientError (409) when the location does not hold the order's reserved units.
 */
export async function createFulfillment(
  deps: OrderDeps,
  actor: OrderActor,
  input: CreateFulfillmentInput,
): Promise<FulfillmentT> {
  return withTransaction(deps.db, async (tx) => {
    await lockPlacedOrder(tx, input.orderId);
    const lines = await checkLines(tx, input.orderId, input.lines);
    // Invariant in the statement (the CHECK on order_line is behind it): never past the ordered quantity.
    const grown = await sql<{ id: string }>`
      update order_line l set fulfilled_quantity = l.fulfilled_quantity + w.quantity
        from unnest(${lines.map((l) => l.lineId)}::text[], ${lines.map((l) => l.quantity)}::int[]) as w(id, quantity)
       where l.id = w.id and l.order_id = ${input.orderId} and l.fulfilled_quantity + w.quantity <= l.quantity
      returning l.id`.execute(tx);
    if (grown.rows.length !== lines.length) {
      throw new FulfillmentLinesInvalidError([{ path: '/body/lines', message: 'changed while being fulfilled' }]);
    }
    const stock = lines.flatMap((l) => (l.variantId ? [{ variantId: l.variantId, quantity: l.quantity }] : []));
    const locationId = await resolveLocation(tx, input.orderId, input.locationId, stock);
    if (stock.length > 0) {
      await fulfil(deps.inventory, tx, {
        orderId: input.orderId,
        lines: stock.map((s) => ({ ...s, locationId })),
        actor,
      });
    }
    const id = newId('fulfillment');
    await tx
      .insertInto('fulfillment')
      .values({
        id,
        order_id: input.orderId,
        location_id: locationId,
        actor_type: actor.actorType,
        actor_id: actor.actorId,
      })
      .execute();
    await tx
      .insertInto('fulfillment_line')
      .values(lines.map((l) => ({ fulfillment_id: id, order_line_id: l.lineId, quantity: l.quantity })))
      .execute();
    const summary = {
      fulfillmentId: id,
      locationId,
      lines: lines.map(({ lineId, variantId, quantity }) => ({ lineId, variantId, quantity })),
    };
    await timeline(tx, input.orderId, actor, 'fulfillment.created', summary);
    const status = await syncFulfillmentStatus(tx, actor, input.orderId);
    await appendEvent(tx, {
      type: 'fulfillment.created',
      aggregateId: input.orderId,
      payload: { orderId: input.orderId, ...summary, fulfillmentStatus: status },
      ...(actor.requestId ? { requestId: actor.requestId } : {}),
    });
    await recordAudit(tx, actor, {
      action: 'fulfillment.created',
      targetType: 'order',
      targetId: input.orderId,
      changes: summary,
    });
    return view(tx, input.orderId, id);
  });
}

/** Moves a parcel along created → shipped → delivered, conditionally; the losing caller gets a 409. */
async function moveParcel(
  tx: Tx,
  orderId: string,
  fulfillmentId: string,
  from: 'created' | 'shipped',
  to: 'shipped' | 'delivered',
  set: Record<string, unknown>,
) {
  const moved = await tx
    .updateTable('fulfillment')
    .set({ ...set, status: to, updated_at: sql`now()` })
    .where('id', '=', fulfillmentId)
    .where('order_id', '=', orderId)
    .where('status', '=', from)
    .returning('id')
    .executeTakeFirst();
  if (moved) return;
  const now = await tx
    .selectFrom('fulfillment')
    .select('status')
    .where('id', '=', fulfillmentId)
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  if (!now) throw new NotFoundError('Fulfillment', fulfillmentId);
  throw new InvalidFulfillmentTransitionError(fulfillmentId, now.status, to);
}

/** "2 × T-shirt (M)" per line, for the shipping email. */
function itemList(f: FulfillmentT): string {
  return f.lines
    .map(
      (l) =>
        `  ${l.quantity} × ${l.title}${l.variantTitle && l.variantTitle !== 'Default' ? ` (${l.variantTitle})` : ''}`,
    )
    .join('\n');
}

/**
 * Hands a parcel to a carrier: it becomes `shipped` with carrier and tracking, the lines' shipped
 * quantities grow, the fulfillment status moves (partially_shipped / shipped), `fulfillment.shipped`
 * is emitted and (unless `notifyCustomer` is false) the `order-shipped` email is queued.
 * @throws NotFoundError; OrderNotFulfillableError (409); InvalidFulfillmentTransitionError (409) unless `created`.
 */
export async function shipFulfillment(
  deps: OrderDeps,
  actor: OrderActor,
  input: ShipFulfillmentInput,
): Promise<FulfillmentT> {
  if (input.trackingUrl !== undefined && !isWebUrl(input.trackingUrl)) {
    throw new ValidationError([{ path: '/body/trackingUrl', message: 'must be an http or https URL' }]);
  }
  const tracking = {
    carrier: input.carrier.trim(),
    trackingNumber: input.trackingNumber.trim(),
    trackingUrl: input.trackingUrl ?? null,
  };
  return withTransaction(deps.db, async (tx) => {
    const order = await lockPlacedOrder(tx, input.orderId);
    await moveParcel(tx, input.orderId, input.fulfillmentId, 'created', 'shipped', {
      carrier: tracking.carrier,
      tracking_number: tracking.trackingNumber,
      tracking_url: tracking.trackingUrl,
      shipped_at: sql`now()`,
    });
    await sql`
      update order_line l set shipped_quantity = l.shipped_quantity + fl.quantity
        from fulfillment_line fl
       where fl.fulfillment_id = ${input.fulfillmentId} and l.id = fl.order_line_id`.execute(tx);
    const data = { fulfillmentId: input.fulfillmentId, ...tracking };
    await timeline(tx, input.orderId, actor, 'fulfillment.shipped', data);
    const status = await syncFulfillmentStatus(tx, actor, input.orderId);
    await appendEvent(tx, {
      type: 'fulfillment.shipped',
      aggregateId: input.orderId,
      payload: { orderId: input.orderId, ...data, fulfillmentStatus: status },
      ...(actor.requestId ? { requestId: actor.requestId } : {}),
    });
    await recordAudit(tx, actor, {
      action: 'fulfillment.shipped',
      targetType: 'order',
      targetId: input.orderId,
      changes: data,
    });
    const f = await view(tx, input.orderId, input.fulfillmentId);
    if (input.notifyCustomer !== false) {
      await queueNotification(tx, {
        template: 'order-shipped',
        to: order.email,
        templatesDir: deps.mail.templatesDir,
        data: {
          shopName: deps.mail.shopName,
          number: String(order.number),
          items: itemList(f),
          carrier: tracking.carrier,
          trackingNumber: tracking.trackingNumber,
          trackingLink: tracking.trackingUrl ? `\nTrack your parcel: ${tracking.trackingUrl}` : '',
          remainder: status === 'shipped' ? '' : '\n\nThe rest of your order will follow separately.',
          storefrontUrl: deps.mail.storefrontUrl,
        },
      });
    }
    return f;
  });
}

/**
 * Marks a shipped parcel delivered and emits `fulfillment.delivered`. When every unit is delivered
 * the fulfillment status becomes `delivered`, and a paid order moves `placed → completed`.
 * @throws NotFoundError; OrderNotFulfillableError (409); InvalidFulfillmentTransitionError (409) unless `shipped`.
 */
export async function deliverFulfillment(
  deps: OrderDeps,
  actor: OrderActor,
  input: { orderId: string; fulfillmentId: string },
): Promise<FulfillmentT> {
  return withTransaction(deps.db, async (tx) => {
    await lockPlacedOrder(tx, input.orderId);
    await moveParcel(tx, input.orderId, input.fulfillmentId, 'shipped', 'delivered', { delivered_at: sql`now()` });
    const data = { fulfillmentId: input.fulfillmentId };
    await timeline(tx, input.orderId, actor, 'fulfillment.delivered', data);
    const status = await syncFulfillmentStatus(tx, actor, input.orderId);
    await appendEvent(tx, {
      type: 'fulfillment.delivered',
      aggregateId: input.orderId,
      payload: { orderId: input.orderId, ...data, fulfillmentStatus: status },
      ...(actor.requestId ? { requestId: actor.requestId } : {}),
    });
    await recordAudit(tx, actor, {
      action: 'fulfillment.delivered',
      targetType: 'order',
      targetId: input.orderId,
      changes: data,
    });
    await completeOrderIfDone(tx, actor, input.orderId);
    return view(tx, input.orderId, input.fulfillmentId);
  });
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}
