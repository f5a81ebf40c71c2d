import type { FastifyRequest } from 'fastify';
import type { ColumnType, Generated, RawBuilder } from 'kysely';
import type { Tx } from '../db/database.js';
import { jsonb } from '../db/json.js';
import { newId } from '../ids.js';

/**
 * The audit log: an append-only table (a trigger refuses UPDATE, DELETE and TRUNCATE) written in
 * the same transaction as the change it records. Every module records its changes here; identity
 * tells each request who the actor is (`request.actor`).
 */

export type ActorType = 'staff' | 'api_key' | 'customer' | 'system';

export interface AuditLogTable {
  id: string;
  at: Generated<Date>;
  actor_type: ActorType;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  request_id: string | null;
  changes: ColumnType<Record<string, unknown>, RawBuilder<Record<string, unknown>>, never>;
}

declare module '../db/database.js' {
  interface Database {
    audit_log: AuditLogTable;
  }
}

export interface Actor {
  type: ActorType;
  id: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, for the audit log; set by the authentication hook (`system` when nobody). */
    actor: Actor;
  }
}

/** Who did it and from where. */
export interface AuditContext {
  actorType: ActorType;
  actorId: string | null;
  ip: string | null;
  requestId: string | null;
}

export const systemActor: AuditContext = { actorType: 'system', actorId: null, ip: null, requestId: null };

/** The audit context of a request: its actor, client IP and request id. */
export function requestAuditContext(request: Pick<FastifyRequest, 'actor' | 'ip' | 'id'>): AuditContext {
  const actor = request.actor ?? { type: 'system', id: null };
  return { actorType: actor.type, actorId: actor.id, ip: request.ip, requestId: request.id };
}

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
      changes: jsonb(entry.changes ?? {}),
    })
    .execute();
}
