import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.js';
import type { Db, Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { queueNotification } from '../../platform/notifications/notifications.js';
import { appendEvent } from '../../platform/outbox/outbox.js';
import type { OrderMail } from './orders.deps.js';
import { type OrderActor, timeline } from './orders.service.js';
import {
  InvalidReturnTransitionError,
  OrderNotReturnableError,
  ReturnLinesInvalidError,
  ReturnNotFoundError,
  ReturnQuantityExceededError,
} from './returns.errors.js';
import { findReturnView } from './returns.repository.js';
import type { ReturnViewT } from './returns.schemas.js';
import type { ReturnReason, ReturnStatus } from './returns.tables.js';

/**
 * Return requests: asked for (by the order's customer or by staff), then approved or rejected. Receiving
 * the goods is in returns.receive.ts. Every command opens its own transaction (route handlers open none)
 * and writes the order timeline, the outbox event and the audit log with the change.
 */

/** Returns that still hold units of their order lines: those units cannot be asked for again. */
export const openReturnStatuses: readonly ReturnStatus[] = ['requested', 'approved'];

export interface ReturnLineInput {
  orderLineId: string;
  quantity: number;
  reason: ReturnReason;
  note?: string | undefined;
}

export interface ReturnRequestInput {
  orderId: string;
  /** When set, the order must belong to this customer (otherwise 404, as if it did not exist). */
  customerId?: string | undefined;
  lines: ReturnLineInput[];
  note?: string | undefined;
}

/**
 * Locks the order row: return requests and receipts of one order run one at a time, so two requests
 * cannot both claim the same shipped units.
 */
export async function lockOrder(tx: Tx, orderId: string, customerId?: string) {
  const order = await tx
    .selectFrom('order')
    .select(['id', 'status', 'fulfillment_status', 'currency', 'customer_id', 'email', 'number'])
    .where('id', '=', orderId)
    .$if(customerId !== undefined, (q) => q.where('customer_id', '=', customerId ?? ''))
    .forUpdate()
    .executeTakeFirst();
  if (!order) throw new NotFoundError('Order', orderId);
  return order;
}

/**
 * Units of each line of the order that can still be returned: shipped − already returned − in open returns.
 * Run under the order's row lock.
 */
async function returnableByLine(tx: Tx, orderId: string): Promise<Map<string, number>> {
  const res = await sql<{ id: string; returnable: number }>`
    select l.id, l.shipped_quantity - l.returned_quantity - coalesce((
             select sum(rl.quantity) from return_line rl join return_request r on r.id = rl.return_id
              where rl.order_line_id = l.id and r.status in ('requested', 'approved')), 0)::int as returnable
      from order_line l where l.order_id = ${orderId}`.execute(tx);
  return new Map(res.rows.map((r) => [r.id, Number(r.returnable)]));
}

/**
 * Records a return request for shipped units of a placed or completed order; answers the new return as
 * its transaction sees it.
 * @throws NotFoundError (another customer's order too), OrderNotReturnableError (409),
 *   ReturnLinesInvalidError (422: a line not of this order, or named twice),
 *   ReturnQuantityExceededError (422, naming `/lines/i/quantity`).
 */
export async function requestReturn(db: Db, actor: OrderActor, input: ReturnRequestInput): Promise<ReturnViewT> {
  return withTransaction(db, async (tx) => {
    const id = await insertReturnRequest(tx, actor, input);
    const view = await findReturnView(tx, id);
    if (!view) throw new ReturnNotFoundError(id);
    return view;
  });
}

async function insertReturnRequest(tx: Tx, actor: OrderActor, input: ReturnRequestInput): Promise<string> {
  const order = await lockOrder(tx, input.orderId, input.customerId);
  if (order.status !== 'placed' && order.status !== 'completed') {
    throw new OrderNotReturnableError(order.id, order.status);
  }
  const returnable = await returnableByLine(tx, order.id);
  const seen = new Set<string>();
  const invalid = [];
  const exceeded = [];
  for (const [i, line] of input.lines.entries()) {
    const left = returnable.get(line.orderLineId);
    if (left === undefined || seen.has(line.orderLineId)) {
      invalid.push({
        path: `/lines/${i}/orderLineId`,
        message: left === undefined ? 'is not a line of this order' : 'is named twice',
      });
    } else if (line.quantity > left) {
      exceeded.push({ path: `/lines/${i}/quantity`, message: `must be at most ${Math.max(left, 0)}` });
    }
    seen.add(line.orderLineId);
  }
  if (invalid.length > 0) throw new ReturnLinesInvalidError(invalid);
  if (exceeded.length > 0) throw new ReturnQuantityExceededError(exceeded);

  const id = newId('returnRequest');
  await tx
    .insertInto('return_request')
    .values({
      id,
      order_id: order.id,
      requested_by_type: actor.actorType,
      requested_by_id: actor.actorId,
      note: input.note ?? null,
      currency: order.currency,
    })
    .execute();
  await tx
    .insertInto('return_line')
    .values(
      input.lines.map((l, position) => ({
        id: newId('returnLine'),
        return_id: id,
        order_line_id: l.orderLineId,
        quantity: l.quantity,
        reason: l.reason,
        note: l.note ?? null,
        position,
      })),
    )
    .execute();
  const lines = input.lines.map((l) => ({ orderLineId: l.orderLineId, quantity: l.quantity, reason: l.reason }));
  await recordReturnChange(tx, actor, order.id, id, 'return.requested', { lines });
  return id;
}

/** Timeline entry, outbox event and audit row of one return change. */
export async function recordReturnChange(
  tx: Tx,
  actor: OrderActor,
  orderId: string,
  returnId: string,
  kind: 'return.requested' | 'return.approved' | 'return.rejected' | 'return.received',
  data: Record<string, unknown> = {},
): Promise<void> {
  await timeline(tx, orderId, actor, kind, { returnId, ...data });
  await appendEvent(tx, {
    type: kind,
    aggregateId: returnId,
    payload: { returnId, orderId, ...data },
    ...(actor.requestId ? { requestId: actor.requestId } : {}),
  });
  await recordAudit(tx, actor, {
    action: kind,
    targetType: 'return',
    targetId: returnId,
    changes: { orderId, ...data },
  });
}

/**
 * Moves a return from one of `from` to `to` with one conditional statement (the status must still be
 * what it was), stamping `<to>_at`. @throws ReturnNotFoundError, InvalidReturnTransitionError (409).
 */
async function move(
  tx: Tx,
  returnId: string,
  from: readonly ReturnStatus[],
  to: 'approved' | 'rejected',
  extra: { rejection_reason?: string } = {},
): Promise<{ order_id: string }> {
  const stamp = to === 'approved' ? { approved_at: sql<Date>`now()` } : { rejected_at: sql<Date>`now()` };
  const row = await tx
    .updateTable('return_request')
    .set({ status: to, ...stamp, ...extra, updated_at: sql<Date>`now()` })
    .where('id', '=', returnId)
    .where('status', 'in', from)
    .returning('order_id')
    .executeTakeFirst();
  if (row) return row;
  const now = await tx.selectFrom('return_request').select('status').where('id', '=', returnId).executeTakeFirst();
  if (!now) throw new ReturnNotFoundError(returnId);
  throw new InvalidReturnTransitionError(returnId, now.status, to);
}

/**
 * Approves a requested return and emails the customer what to do next.
 * @throws ReturnNotFoundError, InvalidReturnTransitionError (409) unless it is `requested`.
 */
export async function approveReturn(db: Db, actor: OrderActor, mail: OrderMail, returnId: string): Promise<void> {
  await withTransaction(db, (tx) => approve(tx, actor, mail, returnId));
}

async function approve(tx: Tx, actor: OrderActor, mail: OrderMail, returnId: string): Promise<void> {
  const { order_id } = await move(tx, returnId, ['requested'], 'approved');
  await recordReturnChange(tx, actor, order_id, returnId, 'return.approved');
  const order = await tx
    .selectFrom('order')
    .select(['email', 'number'])
    .where('id', '=', order_id)
    .executeTakeFirstOrThrow();
  await queueNotification(tx, {
    template: 'return-approved',
    to: order.email,
    templatesDir: mail.templatesDir,
    data: {
      shopName: mail.shopName,
      orderNumber: String(order.number),
      returnId,
      ordersUrl: `${mail.storefrontUrl.replace(/\/+$/, '')}/account/orders/${order_id}`,
    },
  });
}

/**
 * Rejects a requested (or approved, but never received) return; its units can be asked for again.
 * @throws ReturnNotFoundError, InvalidReturnTransitionError (409) once rejected or received.
 */
export async function rejectReturn(db: Db, actor: OrderActor, returnId: string, reason: string): Promise<void> {
  await withTransaction(db, (tx) => reject(tx, actor, returnId, reason));
}

async function reject(tx: Tx, actor: OrderActor, returnId: string, reason: string): Promise<void> {
  const { order_id } = await move(tx, returnId, ['requested', 'approved'], 'rejected', { rejection_reason: reason });
  await recordReturnChange(tx, actor, order_id, returnId, 'return.rejected', { reason });
}
