import type { App } from '../../platform/http/types.js';
import type { DashboardDeps } from './dashboard.deps.js';
import { DashboardSchema, tags } from './dashboard.schemas.js';
import { getDashboard } from './dashboard.service.js';

/** The permissions of the caller (staff member or secret key); the route's own guard already required a login. */
export function permissionsOf(principal: { type: string; permissions?: ReadonlySet<string> }): ReadonlySet<string> {
  return principal.permissions ?? new Set();
}

/** `GET /v1/admin/dashboard`: the home page's numbers. */
export async function summaryRoutes(app: App, deps: DashboardDeps) {
  app.get(
    '/v1/admin/dashboard',
    {
      config: { auth: { permission: 'orders:read' } },
      schema: {
        tags,
        summary:
          "Home: today's orders and sales per currency (vs yesterday), orders to capture and to fulfil, low stock, recent activity",
        description:
          '"Today" is the calendar day in `SHOP_TIMEZONE`. Orders count from the moment they are placed (payment went ' +
          'through) unless cancelled since. `lowStock` is present only for members with `inventory:read`; activity ' +
          'lines need the read permission of their resource (catalog, inventory, customers). ' +
          '`GET /v1/admin/dashboard/stream` says when to read this again.',
        response: { 200: DashboardSchema },
      },
    },
    async (request) => getDashboard(deps, permissionsOf(request.principal)),
  );
}
