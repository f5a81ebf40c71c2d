import type { App } from '../../platform/http/types.js';
import { deliveryRoutes } from './deliveries.routes.js';
import { endpointRoutes } from './endpoints.routes.js';
import type { WebhooksDeps } from './webhooks.deps.js';

/** Every admin route of the webhooks module (`webhooks:manage`): endpoints, event types, deliveries. */
export async function webhookAdminRoutes(app: App, deps: WebhooksDeps) {
  await endpointRoutes(app, deps);
  await deliveryRoutes(app, deps);
}
