/**
 * orders — order snapshots, the three status state tables, the timeline; admin and customer
 * views. Checkout creates orders through `createOrder` inside its phase-one transaction.
 */

import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import { orderAdminRoutes, orderStoreRoutes } from './orders.routes.js';
import './orders.tables.js';

export { InvalidOrderTransitionError } from './orders.errors.js';
export { findOrderView, listOrders, type OrderListQuery } from './orders.repository.js';
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

export async function orderRoutes(app: App, deps: { db: Db }): Promise<void> {
  await orderAdminRoutes(app, deps);
  await orderStoreRoutes(app, deps);
}
