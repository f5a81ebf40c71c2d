import type { Db } from '../../platform/db/database.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { findOrderView } from './orders.repository.js';
import type { OrderDetailT } from './orders.schemas.js';
import { addOrderNote, type OrderActor } from './orders.service.js';

/**
 * Staff notes, the command behind `POST /v1/admin/orders/{id}/notes`: the note goes on the timeline and the
 * audit log, and the answer is the order as that transaction sees it (the new note included).
 * @throws NotFoundError when there is no such order.
 */
export async function noteOrder(db: Db, actor: OrderActor, orderId: string, note: string): Promise<OrderDetailT> {
  return withTransaction(db, async (tx) => {
    await addOrderNote(tx, actor, orderId, note);
    const view = await findOrderView(tx, orderId);
    if (!view) throw new NotFoundError('Order', orderId);
    return view;
  });
}
