/**
 * identity — customers, staff, roles and permissions, sessions, API keys, audit log.
 * The only file other modules import.
 */
export { type AuditContext, type AuditEntry, auditContext, recordAudit, systemActor } from './audit.js';
/** Registers authentication + authorization for every `/v1` route (see `RouteAuth`). */
export { authorize, registerAuth, resolvePrincipal } from './auth.plugin.js';
export { InvalidCredentialsError, PermissionDeniedError, UnauthenticatedError } from './identity.errors.js';
export { builtinRoles, isPermission, type Permission, permissions } from './permissions.js';
export type { Principal, RouteAuth } from './principal.js';
