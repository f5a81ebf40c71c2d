import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import type { FieldError } from '../../platform/errors.js';
import { type InventoryDeps, listLocations, restock } from '../inventory/index.js';
import { type OrderActor, transition } from './orders.service.js';
import { canTransition, type FulfillmentStatus } from './orders.state.js';
import {
  InvalidReturnTransitionError,
  ReturnLinesInvalidError,
  ReturnNotFoundError,
  ReturnQuantityExceededError,
} from './returns.errors.js';
import { lockOrder, recordReturnChange } from './returns.service.js';

/**
 * Receiving an approved return: what arrived is counted on the return lines and on
 * `order_line.returned_quantity`, the units chosen for restock go back on the shelf through the
 * inventory ledger, and the order's fulfillment status moves to partially_returned / returned.
 * A return is received once; units that never arrived stay unreceived.
 */

export interface ReceiveLineInput {
  returnLineId: string;
  quantity: number;
  restock: boolean;
  locationId?: string | undefined;
}

interface ReturnLineRow {
  id: string;
  order_line_id: string;
  quantity: number;
  variant_id: string | null;
  shipped_quantity: number;
  returned_quantity: number;
}

/** The checks of the receipt lines against the return; field errors name `/lines/i/...`. */
async function checkLines(tx: Tx, input: ReceiveLineInput[], lines: Map<string, ReturnLineRow>) {
  const invalid: FieldError[] = [];
  const exceeded: FieldError[] = [];
  const seen = new Set<string>();
  const needsLocation = input.some((l) => l.locationId !== undefined);
  const active = needsLocation
    ? new Set((await listLocations(tx)).filter((l) => l.active).map((l) => l.id))
    : new Set<string>();
  for (const [i, l] of input.entries()) {
    const line = lines.get(l.returnLineId);
    if (!line || seen.has(l.returnLineId)) {
      invalid.push({
        path: `/lines/${i}/returnLineId`,
        message: line ? 'is named twice' : 'is not a line of this return',
      });
    } else if (l.quantity > line.quantity) {
      exceeded.push({ path: `/lines/${i}/quantity`, message: `must be at most ${line.quantity}` });
    } else if (l.restock && l.quantity > 0 && line.variant_id === null) {
      invalid.push({ path: `/lines/${i}/restock`, message: 'the variant no longer exists: cannot restock' });
    } else if (l.locationId !== undefined && !active.has(l.locationId)) {
      invalid.push({ path: `/lines/${i}/locationId`, message: 'is not an active stock location' });
    }
    seen.add(l.returnLineId);
  }
  if (invalid.length === 0 && exceeded.length === 0 && input.every((l) => l.quantity === 0)) {
    invalid.push({ path: '/lines', message: 'must receive at least one unit' });
  }
  if (invalid.length > 0) throw new ReturnLinesInvalidError(invalid);
  if (exceeded.length > 0) throw new ReturnQuantityExceededError(exceeded);
}

/**
 * Receives an approved return (locks the order row, then the return row).
 * @throws ReturnNotFoundError, InvalidReturnTransitionError (409) unless approved,
 *   ReturnLinesInvalidError / ReturnQuantityExceededError (422, naming `/lines/i/...`).
 */
export async function receiveReturn(
  deps: { db: Db; inventory: InventoryDeps },
  actor: OrderActor,
  input: { returnId: string; lines: ReceiveLineInput[] },
): Promise<{ orderId: string }> {
  return withTransaction(deps.db, (tx) => receive(deps.inventory, tx, actor, input));
}

async function receive(
  inventory: InventoryDeps,
  tx: Tx,
  actor: OrderActor,
  input: { returnId: string; lines: ReceiveLineInput[] },
): Promise<{ orderId: string }> {
  const head = await tx
    .selectFrom('return_request')
    .select('order_id')
    .where('id', '=', input.returnId)
    .executeTakeFirst();
  if (!head) throw new ReturnNotFoundError(input.returnId);
  // Order first, then the return: the same order as requestReturn, so the two cannot deadlock.
  const order = await lockOrder(tx, head.order_id);
  const ret = await tx
    .selectFrom('return_request')
    .select('status')
    .where('id', '=', input.returnId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (ret.status !== 'approved') throw new InvalidReturnTransitionError(input.returnId, ret.status, 'received');

  const rows = await tx
    .selectFrom('return_line as rl')
    .innerJoin('order_line as ol', 'ol.id', 'rl.order_line_id')
    .select([
      'rl.id',
      'rl.order_line_id',
      'rl.quantity',
      'ol.variant_id',
      'ol.shipped_quantity',
      'ol.returned_quantity',
    ])
    .where('rl.return_id', '=', input.returnId)
    .execute();
  const lines = new Map(rows.map((r) => [r.id, r]));
  await checkLines(tx, input.lines, lines);

  const received = input.lines.filter((l) => l.quantity > 0);
  for (const [i, l] of input.lines.entries()) {
    if (l.quantity === 0) continue;
    const line = lines.get(l.returnLineId) as ReturnLineRow;
    await tx
      .updateTable('return_line')
      .set({ received_quantity: l.quantity, restocked_quantity: l.restock ? l.quantity : 0 })
      .where('id', '=', l.returnLineId)
      .execute();
    // Never more returned than shipped: decided by the statement that writes.
    const counted = await tx
      .updateTable('order_line')
      .set((eb) => ({ returned_quantity: eb('returned_quantity', '+', l.quantity) }))
      .where('id', '=', line.order_line_id)
      .where(sql<boolean>`returned_quantity + ${l.quantity} <= shipped_quantity`)
      .returning('id')
      .executeTakeFirst();
    if (!counted) {
      throw new ReturnQuantityExceededError([
        { path: `/lines/${i}/quantity`, message: 'more than was shipped and not yet returned' },
      ]);
    }
  }
  const toRestock = received
    .filter((l) => l.restock)
    .map((l) => ({
      variantId: (lines.get(l.returnLineId) as ReturnLineRow).variant_id as string,
      quantity: l.quantity,
      locationId: l.locationId,
    }));
  if (toRestock.length > 0) {
    await restock(inventory, tx, { orderId: order.id, lines: toRestock, reason: 'return', actor });
  }
  await tx
    .updateTable('return_request')
    .set({ status: 'received', received_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('id', '=', input.returnId)
    .execute();
  await moveFulfillmentStatus(tx, actor, order.id, order.fulfillment_status, input.returnId);
  await recordReturnChange(tx, actor, order.id, input.returnId, 'return.received', {
    lines: received.map((l) => ({
      returnLineId: l.returnLineId,
      orderLineId: (lines.get(l.returnLineId) as ReturnLineRow).order_line_id,
      quantity: l.quantity,
      restocked: l.restock,
    })),
  });
  return { orderId: order.id };
}

/**
 * `returned` once every unit of every line came back, `partially_returned` before. When the state table has
 * no edge from the current status (e.g. partially_shipped → partially_returned), the status stays and the
 * receipt still counts: the goods are here either way.
 */
async function moveFulfillmentStatus(
  tx: Tx,
  actor: OrderActor,
  orderId: string,
  from: FulfillmentStatus,
  returnId: string,
): Promise<void> {
  const totals = await tx
    .selectFrom('order_line')
    .select([
      sql<boolean>`bool_and(returned_quantity = quantity)`.as('all'),
      sql<boolean>`bool_or(returned_quantity > 0)`.as('any'),
    ])
    .where('order_id', '=', orderId)
    .executeTakeFirstOrThrow();
  const to: FulfillmentStatus | null = totals.all ? 'returned' : totals.any ? 'partially_returned' : null;
  if (!to || to === from || !canTransition('fulfillment_status', from, to)) return;
  await transition(tx, actor, { orderId, field: 'fulfillment_status', from, to, data: { returnId } });
}
