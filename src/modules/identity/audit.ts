import type { Tx } from '../../platform/db/database.js';
import { newId } from '../../platform/ids.js';
import type { ActorType } from './identity.tables.js';
import type { Principal } from './principal.js';

/** Who did it and from where; built from the request by `auditContext`. */
export interface AuditContext {
  actorType: ActorType;
  actorId: string | null;
  ip: string | null;
  requestId: string | null;
}

export function auditContext(principal: Principal, request?: { ip: string; id: string }): AuditContext {
  const actor: [ActorType, string | null] =
    principal.type === 'anonymous' ? ['system', null] : [principal.type, principal.id];
  return { actorType: actor[0], actorId: actor[1], ip: request?.ip ?? null, requestId: request?.id ?? null };
}

export const systemActor: AuditContext = { actorType: 'system', actorId: null, ip: null, requestId: null };

export interface AuditEntry {
  /** `<thing>.<past_tense>`, e.g. `api_key.created`, `staff.role_changed`. */
  action: string;
  targetType?: string;
  targetId?: string;
  /** What changed — never a secret (hashes, tokens and passwords stay out). */
  changes?: Record<string, unknown>;
}

/** Appends an audit row in the caller's transaction: the change and its record commit together. */
export async function recordAudit(tx: Tx, ctx: AuditContext, entry: AuditEntry): Promise<void> {
  await tx
    .insertInto('audit_log')
    .values({
      id: newId('audit'),
      actor_type: ctx.actorType,
      actor_id: ctx.actorId,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      ip: ctx.ip,
      request_id: ctx.requestId,
      changes: JSON.stringify(entry.changes ?? {}),
    })
    .execute();
}
