/**
 * orders — order snapshots, the three status state tables, the timeline; admin and customer
 * views. Checkout creates orders through `createOrder` inside its phase-one transaction.
 */

import type { App } from '../../platform/http/types.js';
import { fulfillmentRoutes } from './fulfillments.routes.js';
import type { OrderDeps } from './orders.deps.js';
import { orderAdminRoutes, orderStoreRoutes } from './orders.routes.js';
import { returnRoutes } from './returns.routes.js';
import './orders.events.js';
import './orders.tables.js';

/**
 * A customer's orders: `customerOrderStats` / `recentCustomerOrders` (staff's customer pages, through identity's
 * port) and the privacy requests' part — `exportCustomerOrders` and `eraseCustomerOrders` (personal fields replaced,
 * the customer link cut, totals/lines/payments kept; orders locked in id order), each in the caller's transaction.
 */
export {
  type CustomerOrderStats,
  type CustomerRef,
  customerOrderStats,
  eraseCustomerOrders,
  exportCustomerOrders,
  recentCustomerOrders,
} from './customers.privacy.js';
/**
 * The admin dashboard's reads (migration 0032's indexes): sales per currency over day ranges, the open order backlog
 * (to capture, to fulfil — with the statuses that define them) and order numbers by id.
 */
export {
  type CurrencySales,
  fulfillablePaymentStatuses,
  type OrderBacklog,
  orderBacklog,
  orderNumbers,
  type SalesPeriods,
  salesByCurrency,
  unfulfilledStatuses,
} from './dashboard.read.js';
/** Fulfilment commands (one transaction each, order row locked first): stock leaves the reservation, parcels ship and arrive. */
export { createFulfillment, deliverFulfillment, shipFulfillment } from './fulfillments.service.js';
export { completeOrderIfDone, syncFulfillmentStatus } from './fulfillments.status.js';
/** Staff capture/cancel (money through payments' three phases, statuses derived after) and the guest lookup. */
export { cancelOrder, captureOrder, findGuestOrder } from './order-actions.service.js';
/** Derives `order.payment_status` from the order's payments under its row lock (run after any payment change). */
export { derivePaymentStatus, syncOrderPaymentStatus } from './order-payments.js';
/**
 * Checkout's order lifecycle: `lockPendingOrder(tx, id)` locks an order and answers it while it waits for payment
 * (null once placed or cancelled); `placeOrder` moves it to `placed` (`order.placed`, payment status, confirmation
 * email); `cancelPendingOrder` to `cancelled` (reservation released, `order.cancelled`); `liveOrderOfCart` and
 * `pendingOrdersOfCarts` find a cart's order; `orderStatus` reads one.
 */
export {
  cancelPendingOrder,
  liveOrderOfCart,
  lockPendingOrder,
  orderStatus,
  type PendingOrder,
  pendingOrdersOfCarts,
  placeOrder,
} from './order-placement.js';
export type { OrderDeps, OrderMail } from './orders.deps.js';
export { InvalidOrderTransitionError } from './orders.errors.js';
/** The status changes `transition` may announce in the outbox. */
export type { OrderEventType } from './orders.events.js';
/** The orders list (staff and a customer's own): search, filters, sorts, keyset cursor naming its sort. */
export { listOrders, type OrderListQuery, type OrderSort, orderSorts } from './orders.list.js';
/** The staff order view (`GET /v1/admin/orders/{id}`) of many orders in one statement, for the webhook catalogue. */
export { adminOrderViews, findOrderView } from './orders.repository.js';
/** Response schemas, for modules that answer with an order (checkout completion). */
export { OrderDetail, type OrderDetailT } from './orders.schemas.js';
export {
  addOrderNote,
  createOrder,
  type NewOrder,
  type NewOrderLine,
  type OrderActor,
  timeline,
  transition,
} from './orders.service.js';
export {
  canTransition,
  type FulfillmentStatus,
  fulfillmentTransitions,
  type OrderStatus,
  orderTransitions,
  type PaymentStatus,
  paymentTransitions,
  type StatusField,
} from './orders.state.js';
export type { Address, TaxLine } from './orders.tables.js';

export async function orderRoutes(app: App, deps: OrderDeps): Promise<void> {
  await orderAdminRoutes(app, deps);
  await orderStoreRoutes(app, deps);
  await fulfillmentRoutes(app, deps);
  await returnRoutes(app, deps);
}
