/**
 * dashboard — the admin home page's numbers and their live updates. It owns no table: every number comes from the
 * owning module's public API (orders, inventory, catalog titles, identity customers) and the outbox feed. No module
 * imports it.
 */

import type { App } from '../../platform/http/types.js';
import type { DashboardDeps } from './dashboard.deps.js';
import { summaryRoutes } from './dashboard.routes.js';
import { dashboardStreamRoutes } from './stream.routes.js';

export type { DashboardDeps } from './dashboard.deps.js';
/** `getDashboard(deps, permissions)`: the numbers of `GET /v1/admin/dashboard` (for the bench and the CLI). */
export { type Dashboard, getDashboard } from './dashboard.service.js';
/** Today/yesterday boundaries in an IANA time zone, as instants. */
export { type DayRanges, dayRanges } from './day-range.js';

/** `GET /v1/admin/dashboard` and its stream `GET /v1/admin/dashboard/stream` (both `orders:read`). */
export async function dashboardRoutes(app: App, deps: DashboardDeps): Promise<void> {
  await summaryRoutes(app, deps);
  await dashboardStreamRoutes(app, deps);
}
