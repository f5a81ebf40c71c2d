import {
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import { getSessionToken } from './api/token';
import { AppLayout } from './layout/AppLayout';
import { AuthLayout } from './layout/AuthLayout';
import { PrintLayout } from './layout/PrintLayout';

/**
 * Every route of the app, declared once here; each page is its own lazily loaded file (its default export), so the
 * initial bundle holds only the shell. Pages read their search params with `useSearch({ strict: false })` and
 * their path params with `useParams({ strict: false })`: every value is a string (see parseSearch below).
 */

/** Search params are plain strings: `?q=1042` stays "1042" (the router's default would parse it as JSON). */
export type SearchParams = Record<string, string | undefined>;

const rootRoute = createRootRoute({
  component: Outlet,
  validateSearch: (search: Record<string, unknown>): SearchParams => search as SearchParams,
  notFoundComponent: lazyRouteComponent(() => import('./pages/not-found')),
});

// Public pages (no session needed).
const authLayout = createRoute({ getParentRoute: () => rootRoute, id: 'auth', component: AuthLayout });
type Load = () => Promise<{ default: () => React.ReactNode }>;
const authPage = <const P extends string>(path: P, load: Load) =>
  createRoute({ getParentRoute: () => authLayout, path, component: lazyRouteComponent(load) });
const signIn = authPage('/sign-in', () => import('./pages/auth/sign-in'));
const forgotPassword = authPage('/forgot-password', () => import('./pages/auth/forgot-password'));
const resetPassword = authPage('/reset-password', () => import('./pages/auth/reset-password'));
const acceptInvite = authPage('/accept-invite', () => import('./pages/auth/accept-invite'));
// Enrolment: signed in, but the role requires MFA first.
const mfaSetup = authPage('/mfa-setup', () => import('./pages/auth/mfa-setup'));

/** No token at all: straight to sign-in, remembering where the member was going. */
function requireToken({ location }: { location: { href: string } }) {
  if (!getSessionToken()) throw redirect({ to: '/sign-in', search: { next: location.href } as never });
}

// Signed-in pages.
const appLayout = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  component: AppLayout,
  beforeLoad: requireToken,
});
const page = <const P extends string>(path: P, load: Load) =>
  createRoute({ getParentRoute: () => appLayout, path, component: lazyRouteComponent(load) });

const home = page('/', () => import('./pages/home/home'));
const orders = page('/orders', () => import('./pages/orders/list'));
const order = page('/orders/$orderId', () => import('./pages/orders/detail'));
const products = page('/products', () => import('./pages/products/list'));
const productNew = page('/products/new', () => import('./pages/products/new'));
const product = page('/products/$productId', () => import('./pages/products/detail'));
const categories = page('/categories', () => import('./pages/categories/categories'));
const collections = page('/collections', () => import('./pages/collections/collections'));
const inventory = page('/inventory', () => import('./pages/inventory/list'));
const inventoryItem = page('/inventory/$itemId', () => import('./pages/inventory/detail'));
// Stock-alert emails link to <ADMIN_URL>/inventory/items/<itemId> (identity's stock-alerts.ts).
const inventoryItemLink = createRoute({
  getParentRoute: () => appLayout,
  path: '/inventory/items/$itemId',
  beforeLoad: ({ params }) => {
    throw redirect({ to: '/inventory/$itemId', params: { itemId: params.itemId }, replace: true });
  },
});
const customers = page('/customers', () => import('./pages/customers/list'));
const customer = page('/customers/$customerId', () => import('./pages/customers/detail'));
const imports = page('/imports', () => import('./pages/imports/imports'));
const account = page('/account', () => import('./pages/account/account'));
const promotions = page('/promotions', () => import('./pages/promotions/promotions'));
const settingsRegions = page('/settings/regions', () => import('./pages/settings/regions/regions'));
const settingsPayments = page('/settings/payments', () => import('./pages/settings/payments/payments'));
const settingsChannels = page('/settings/channels', () => import('./pages/settings/channels/channels'));
const settingsTeam = page('/settings/team', () => import('./pages/settings/team/team'));
const settingsWebhooks = page('/settings/webhooks', () => import('./pages/settings/webhooks/webhooks'));
const settingsAuditLog = page('/settings/audit-log', () => import('./pages/settings/audit/audit-log'));
const settingsSystem = page('/settings/system', () => import('./pages/settings/system/system'));

// Printable pages: signed in, no chrome.
const printLayout = createRoute({
  getParentRoute: () => rootRoute,
  id: 'print',
  component: PrintLayout,
  beforeLoad: requireToken,
});
const packingSlip = createRoute({
  getParentRoute: () => printLayout,
  path: '/orders/$orderId/packing-slip',
  component: lazyRouteComponent(() => import('./pages/orders/packing-slip')),
});

const routeTree = rootRoute.addChildren([
  authLayout.addChildren([signIn, forgotPassword, resetPassword, acceptInvite, mfaSetup]),
  appLayout.addChildren([
    home,
    orders,
    order,
    products,
    productNew,
    product,
    categories,
    collections,
    inventory,
    inventoryItem,
    inventoryItemLink,
    customers,
    customer,
    imports,
    account,
    promotions,
    settingsRegions,
    settingsPayments,
    settingsChannels,
    settingsTeam,
    settingsWebhooks,
    settingsAuditLog,
    settingsSystem,
  ]),
  printLayout.addChildren([packingSlip]),
]);

export const router = createRouter({
  routeTree,
  basepath: '/admin',
  defaultPreload: 'intent',
  scrollRestoration: true,
  parseSearch: (search) => {
    const out: SearchParams = {};
    for (const [k, v] of new URLSearchParams(search)) out[k] = v;
    return out;
  },
  stringifySearch: (search) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(search)) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    const text = params.toString();
    return text ? `?${text}` : '';
  },
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
