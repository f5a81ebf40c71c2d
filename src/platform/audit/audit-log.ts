import type { Db } from '../db/database.js';
import './audit.js';

/** Which audit rows to list: a page of `limit` older than `cursor`, optionally one action, actor or target, and a time range. */
export interface AuditFilter {
  limit: number;
  cursor?: string | undefined;
  action?: string | undefined;
  actorId?: string | undefined;
  targetId?: string | undefined;
  /** Entries at or after this instant (ISO 8601). */
  from?: string | undefined;
  /** Entries before this instant (ISO 8601). */
  to?: string | undefined;
}

/**
 * The audit log, newest first; ids are time-sortable, so the cursor is the last id of the page. Lives
 * here because the platform owns `audit_log`: identity serves it at `/v1/admin/audit-log` without SQL of
 * its own on the table (`npm run check:tables`).
 */
export async function listAuditLog(db: Db, f: AuditFilter) {
  let q = db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.cursor) q = q.where('id', '<', f.cursor);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  if (f.targetId) q = q.where('target_id', '=', f.targetId);
  if (f.from) q = q.where('at', '>=', new Date(f.from));
  if (f.to) q = q.where('at', '<', new Date(f.to));
  const rows = await q.execute();
  const data = rows.slice(0, f.limit).map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actorType: r.actor_type,
    actorId: r.actor_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    ip: r.ip,
    requestId: r.request_id,
    changes: r.changes,
  }));
  return { data, nextCursor: rows.length > f.limit ? (data.at(-1)?.id ?? null) : null };
}
