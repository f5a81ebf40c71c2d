import { sql } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database.js';
import { currencyExponent } from '../../platform/money.js';
import { queueNotification } from '../../platform/notifications/notifications.js';
import { type InventoryDeps, releaseReservation } from '../inventory/index.js';
import { syncOrderPaymentStatus } from './order-payments.js';
import type { OrderMail } from './orders.deps.js';
import { type OrderActor, transition } from './orders.service.js';
import type { OrderStatus } from './orders.state.js';

/**
 * The order's side of checkout: an order created `pending_payment` in phase one is placed once its payment is
 * authorized, or cancelled when it is declined or abandoned. Checkout decides which from the payment; orders own what
 * each means (status, timeline, events, payment status, stock reservation, confirmation email).
 */

/** An order still waiting for its payment, as locked by `lockPendingOrder`. */
export interface PendingOrder {
  id: string;
  number: number;
  cartId: string | null;
  email: string;
  total: number;
  currency: string;
}

/**
 * Locks the order row (FOR UPDATE) and answers it while it still waits for its payment; null once someone else
 * placed or cancelled it (a parallel completion, the webhook, the worker) — their result stands.
 */
export async function lockPendingOrder(tx: Tx, orderId: string): Promise<PendingOrder | null> {
  const o = await tx
    .selectFrom('order')
    .select(['id', 'number', 'cart_id', 'email', 'total', 'currency', 'status'])
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (o.status !== 'pending_payment') return null;
  return { id: o.id, number: o.number, cartId: o.cart_id, email: o.email, total: o.total, currency: o.currency };
}

/**
 * `pending_payment` → `placed` (timeline, `order.placed`), the payment status derived from its payments, and the
 * confirmation email queued — all in `tx`, on an order locked by `lockPendingOrder`.
 */
export async function placeOrder(tx: Tx, actor: OrderActor, mail: OrderMail, order: PendingOrder): Promise<void> {
  await transition(tx, actor, {
    orderId: order.id,
    field: 'status',
    from: 'pending_payment',
    to: 'placed',
    event: 'order.placed',
    data: { number: order.number, total: order.total, currency: order.currency, email: order.email },
  });
  await syncOrderPaymentStatus(tx, actor, order.id);
  await queueNotification(tx, {
    template: 'order-confirmation',
    to: order.email,
    templatesDir: mail.templatesDir,
    data: {
      shopName: mail.shopName,
      number: String(order.number),
      total: formatMoney(order.total, order.currency),
      link: `${mail.storefrontUrl.replace(/\/$/, '')}/orders/lookup?number=${order.number}`,
    },
  });
}

/**
 * `pending_payment` → `cancelled` (timeline, `order.cancelled` with the reason) and its stock reservation released,
 * in `tx`, on an order locked by `lockPendingOrder`. What upstream modules gave the order (promotion uses) is theirs
 * to give back.
 */
export async function cancelPendingOrder(
  inventory: InventoryDeps,
  tx: Tx,
  actor: OrderActor,
  order: PendingOrder,
  reason: 'payment_declined' | 'payment_abandoned',
): Promise<void> {
  await releaseReservation(inventory, tx, { orderId: order.id, actor });
  await transition(tx, actor, {
    orderId: order.id,
    field: 'status',
    from: 'pending_payment',
    to: 'cancelled',
    event: 'order.cancelled',
    data: { reason, number: order.number },
  });
}

/**
 * The cart's order: the live (not cancelled) one — a declined attempt's order is cancelled and the cart reopened —
 * or, for a completed cart whose order staff cancelled since, that order. Null when the cart has none.
 */
export async function liveOrderOfCart(db: Queryable, cartId: string): Promise<string | null> {
  const row = await db
    .selectFrom('order')
    .select('id')
    .where('cart_id', '=', cartId)
    .orderBy(sql`status <> 'cancelled'`, 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * For the sweep of stopped completions: the live order of each cart, and whether it is older than
 * `abandonAfterSeconds` (its payment had that long to get an answer). Carts without a live order are left out.
 */
export async function pendingOrdersOfCarts(
  db: Queryable,
  cartIds: string[],
  abandonAfterSeconds: number,
): Promise<{ cartId: string; orderId: string; abandon: boolean }[]> {
  if (cartIds.length === 0) return [];
  const rows = await sql<{ cart_id: string; id: string; abandon: boolean }>`
    select cart_id, id, created_at <= now() - make_interval(secs => ${abandonAfterSeconds}) as abandon
      from "order"
     where cart_id in (${sql.join(cartIds)}) and status <> 'cancelled'
     order by cart_id, id`.execute(db);
  return rows.rows.map((r) => ({ cartId: r.cart_id, orderId: r.id, abandon: r.abandon }));
}

/** The order's status now (404-free: the caller knows the order exists). */
export async function orderStatus(db: Queryable, orderId: string): Promise<OrderStatus> {
  const row = await db.selectFrom('order').select('status').where('id', '=', orderId).executeTakeFirstOrThrow();
  return row.status;
}

/** "EUR 34.90" — plain and locale-free for emails; minor units from the currency's exponent. */
function formatMoney(amount: number, currency: string): string {
  const digits = currencyExponent(currency);
  return `${currency} ${(amount / 10 ** digits).toFixed(digits)}`;
}
