import { Type } from 'typebox';
import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import './identity.tables.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const AuditRow = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  actorType: Type.String(),
  actorId: Nullable(Type.String()),
  action: Type.String(),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  changes: Type.Record(Type.String(), Type.Unknown()),
});

const Query = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    actorId: Type.Optional(Type.String({ maxLength: 100 })),
    targetId: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

interface AuditFilter {
  limit: number;
  cursor?: string | undefined;
  action?: string | undefined;
  actorId?: string | undefined;
  targetId?: string | undefined;
}

/** Newest first; ids are time-sortable, so the cursor is the last id of the page. */
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

export async function auditRoutes(app: App, deps: { db: Db }) {
  app.get(
    '/v1/admin/audit-log',
    {
      config: { auth: { permission: 'audit:read' } },
      schema: {
        tags: ['admin: audit'],
        summary: 'The audit log, newest first',
        querystring: Query,
        response: { 200: Type.Object({ data: Type.Array(AuditRow), nextCursor: Nullable(Type.String()) }) },
      },
    },
    async (request) => listAuditLog(deps.db, request.query),
  );
}
