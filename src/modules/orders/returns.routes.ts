import type { App } from '../../platform/http/types.js';
import type { OrderDeps } from './orders.deps.js';

/** Return and refund routes, admin and customer (placeholder). */
export async function returnRoutes(_app: App, _deps: OrderDeps): Promise<void> {}
