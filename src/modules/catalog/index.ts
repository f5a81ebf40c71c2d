/**
 * catalog — products, variants, prices, categories, collections and sales channels.
 * The only file other modules import.
 */

import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import { salesChannelRoutes } from './sales-channels.routes.js';

export { resolveSalesChannelId, type SalesChannel } from './sales-channels.service.js';

export async function catalogRoutes(app: App, deps: { db: Db }) {
  await salesChannelRoutes(app, deps);
}
