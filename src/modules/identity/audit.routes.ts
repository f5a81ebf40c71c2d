import { Type } from 'typebox';
import { listAuditLog } from '../../platform/audit/audit-log.js';
import type { Db } from '../../platform/db/database.js';
import { IdCursor } from '../../platform/http/schemas.js';
import type { App } from '../../platform/http/types.js';

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
    cursor: Type.Optional(IdCursor('audit')),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    actorId: Type.Optional(Type.String({ maxLength: 100 })),
    targetId: Type.Optional(Type.String({ maxLength: 100 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'entries at or after this instant' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'entries before this instant' })),
  },
  { additionalProperties: false },
);

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
