import {
  type Actor,
  type AuditContext,
  type AuditEntry,
  recordAudit,
  systemActor,
} from '../../platform/audit/audit.js';
import type { Principal } from './principal.js';

/** The audit log lives in platform (every module writes it); identity maps a principal to its actor. */
export { type AuditContext, type AuditEntry, recordAudit, systemActor };

export function actorOf(principal: Principal): Actor {
  return principal.type === 'anonymous' ? { type: 'system', id: null } : { type: principal.type, id: principal.id };
}

export function auditContext(principal: Principal, request?: { ip: string; id: string }): AuditContext {
  const actor = actorOf(principal);
  return { actorType: actor.type, actorId: actor.id, ip: request?.ip ?? null, requestId: request?.id ?? null };
}
