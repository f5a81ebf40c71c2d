import type { App } from '../../platform/http/types.js';
import type { OrderDeps } from './orders.deps.js';

/** Admin fulfilment and shipment routes (placeholder). */
export async function fulfillmentRoutes(_app: App, _deps: OrderDeps): Promise<void> {}
