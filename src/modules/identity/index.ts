/**
 * identity — customers, staff, roles and permissions, sessions, API keys, audit log.
 * The only file other modules import.
 */

import './identity.events.js';

export { createApiKey, listApiKeys, resolveKeyPermissions, revokeApiKey } from './api-keys.service.js';
export { type AuditContext, type AuditEntry, auditContext, recordAudit, systemActor } from './audit.js';
/** Registers authentication + authorization for every `/v1` route (see `RouteAuth`). */
export { authorize, registerAuth, resolvePrincipal } from './auth.plugin.js';
export { AddressCreateBody } from './customers.addresses.schemas.js';
export { customerAdminRoutes } from './customers.admin.routes.js';
export type { CustomerOrderStatsT, CustomerOrderSummaryT } from './customers.admin.schemas.js';
/** Staff's customer routes get order facts through this port (wired by the app to `orders`). */
export type { CustomerAdminDeps, CustomerOrdersPort } from './customers.admin.service.js';
/**
 * Identity's part of the privacy requests, run by `privacy` inside its one transaction: `exportCustomerIdentity`
 * (profile, addresses, notes, sessions without tokens, one-time links) and `eraseCustomerIdentity` (checks the typed
 * email — 422 `ERASURE_NOT_CONFIRMED` —, placeholders, deletes addresses/notes/sessions/tokens, `customer.erased`).
 * Both throw 404 for an unknown id.
 */
export {
  type CustomerIdentityExport,
  eraseCustomerIdentity,
  erasedEmail,
  exportCustomerIdentity,
  type IdentityErasure,
} from './customers.privacy.js';
export { type CustomerRouteDeps, customerRoutes } from './customers.routes.js';
/** The customer's view (`GET /v1/store/customers/me`): schema and batch read, for the webhook catalogue. */
export { CustomerSchema, Email } from './customers.schemas.js';
export { customerViews } from './customers.views.js';
export { InvalidCredentialsError, PermissionDeniedError, UnauthenticatedError } from './identity.errors.js';
export { consumeToken, issueToken, type TokenPurpose, type TokenSubject } from './one-time-tokens.js';
export { builtinRoles, isPermission, type Permission, permissions } from './permissions.js';
export type { Principal, RouteAuth } from './principal.js';
/** The principal of a request without credentials (system tasks acting for a guest cart use it too). */
export { anonymous as anonymousPrincipal } from './principal.js';
/** Emails of active staff whose role grants a permission (who to notify about a webhook endpoint). */
export { staffWithPermission } from './staff.by-permission.js';
export { staffRoutes } from './staff.routes.js';
export { createStaff, findRoleIdByName, getStaffProfile, loginStaff, staffExists } from './staff.service.js';
/**
 * Low-stock / back-in-stock emails to opted-in staff: the outbox handler for `STOCK_ALERT_EVENT_TYPES`
 * (idempotent per event and staff member; queues through platform notifications).
 */
export {
  STOCK_ALERT_EVENT_TYPES,
  type StockAlertDeps,
  type StockAlertEventType,
  stockAlertHandler,
} from './stock-alerts.js';
