import { type Insertable, sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import { writeBeforeCommit } from '../../platform/db/before-commit.js';
import type { Tx } from '../../platform/db/database.js';
import { jsonb } from '../../platform/db/json.js';
import { NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import { InvalidOrderTransitionError } from './orders.errors.js';
import type { OrderEventType } from './orders.events.js';
import { timelineKind } from './orders.repository.js';
import { canTransition, type StatusField } from './orders.state.js';
import type { Address, OrderEventTable, TaxLine } from './orders.tables.js';

/**
 * Order commands that run in the caller's transaction (checkout creates orders in its phase-one
 * transaction; payments and fulfilment move their statuses). Every status change goes through
 * `transition`, which checks the state table, writes the change conditionally (the status must
 * still be what was read) and records it on the timeline.
 */

export interface NewOrderLine {
  variantId: string;
  productId: string;
  sku: string;
  title: string;
  variantTitle: string;
  quantity: number;
  unitPrice: number;
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
  taxLines: TaxLine[];
}

export interface NewOrder {
  cartId: string | null;
  customerId: string | null;
  email: string;
  salesChannelId: string;
  regionId: string | null;
  currency: string;
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  taxTotal: number;
  total: number;
  shippingAddress: Address | null;
  billingAddress: Address | null;
  shippingMethod: { id: string; name: string; amount: number } | null;
  promoCodes: string[];
  lines: NewOrderLine[];
}

/** Who did something to an order, for the timeline (and the audit log for staff actions). */
export type OrderActor = AuditContext;

export async function timeline(
  tx: Tx,
  orderId: string,
  actor: OrderActor,
  kind: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  // Written with the transaction's other timeline rows in one insert just before COMMIT (a completion adds three);
  // the readers of the timeline (the order views, the privacy erase) flush the queue first.
  await writeBeforeCommit(
    tx,
    timelineKind,
    {
      id: newId('orderEvent'),
      order_id: orderId,
      kind,
      actor_type: actor.actorType,
      actor_id: actor.actorId,
      data: jsonb(data),
    },
    insertTimelineRows,
  );
}

async function insertTimelineRows(tx: Tx, rows: readonly Insertable<OrderEventTable>[]): Promise<void> {
  await tx
    .insertInto('order_event')
    .values([...rows])
    .execute();
}

/**
 * Creates an order (`pending_payment`) with its line snapshot, in `tx`: one cart gives at most
 * one order (unique cart_id), so a second completion of the same cart fails here.
 */
export async function createOrder(tx: Tx, actor: OrderActor, input: NewOrder): Promise<{ id: string; number: number }> {
  const id = newId('order');
  const row = await tx
    .insertInto('order')
    .values({
      id,
      cart_id: input.cartId,
      customer_id: input.customerId,
      email: input.email,
      sales_channel_id: input.salesChannelId,
      region_id: input.regionId,
      currency: input.currency,
      subtotal: input.subtotal,
      discount_total: input.discountTotal,
      shipping_total: input.shippingTotal,
      tax_total: input.taxTotal,
      total: input.total,
      shipping_address: jsonb(input.shippingAddress),
      billing_address: jsonb(input.billingAddress),
      shipping_method: jsonb(input.shippingMethod),
      promo_codes: input.promoCodes,
    })
    .returning(['id', 'number'])
    .executeTakeFirstOrThrow();
  if (input.lines.length > 0) {
    await tx
      .insertInto('order_line')
      .values(
        input.lines.map((l, position) => ({
          id: newId('orderLine'),
          order_id: id,
          variant_id: l.variantId,
          product_id: l.productId,
          sku: l.sku,
          title: l.title,
          variant_title: l.variantTitle,
          quantity: l.quantity,
          unit_price: l.unitPrice,
          subtotal: l.subtotal,
          discount: l.discount,
          tax: l.tax,
          total: l.total,
          tax_lines: jsonb(l.taxLines),
          position,
        })),
      )
      .execute();
  }
  await timeline(tx, id, actor, 'order.created', { number: row.number, total: input.total, currency: input.currency });
  return row;
}

/**
 * Moves one status of an order, if the state table allows it and the status is still `from`
 * (otherwise the caller raced someone: 409). Records the move on the timeline and appends
 * `event` (when given) through the outbox, in `tx`.
 */
export async function transition(
  tx: Tx,
  actor: OrderActor,
  change: {
    orderId: string;
    field: StatusField;
    from: string;
    to: string;
    event?: OrderEventType;
    data?: Record<string, unknown>;
  },
): Promise<void> {
  if (!canTransition(change.field, change.from, change.to)) {
    throw new InvalidOrderTransitionError(change.field, change.from, change.to);
  }
  const stamps =
    change.field === 'status' && change.to === 'placed'
      ? { placed_at: sql<Date>`now()` }
      : change.field === 'status' && change.to === 'cancelled'
        ? { cancelled_at: sql<Date>`now()` }
        : {};
  const updated = await tx
    .updateTable('order')
    .set({ [change.field]: change.to, ...stamps, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', change.orderId)
    .where(change.field, '=', change.from as never)
    .returning('id')
    .executeTakeFirst();
  if (!updated) {
    const now = await tx.selectFrom('order').select(change.field).where('id', '=', change.orderId).executeTakeFirst();
    if (!now) throw new NotFoundError('Order', change.orderId);
    throw new InvalidOrderTransitionError(change.field, String(now[change.field]), change.to);
  }
  await timeline(tx, change.orderId, actor, `${change.field}.changed`, {
    from: change.from,
    to: change.to,
    ...change.data,
  });
  if (change.event) {
    await appendEvent(tx, {
      type: change.event,
      aggregateId: change.orderId,
      payload: { orderId: change.orderId, ...change.data },
    });
  }
}

/** A staff note on the order's timeline (and the audit log). */
export async function addOrderNote(tx: Tx, actor: OrderActor, orderId: string, note: string): Promise<void> {
  const exists = await tx.selectFrom('order').select('id').where('id', '=', orderId).executeTakeFirst();
  if (!exists) throw new NotFoundError('Order', orderId);
  await timeline(tx, orderId, actor, 'note.added', { note });
  await recordAudit(tx, actor, { action: 'order.note_added', targetType: 'order', targetId: orderId });
}
