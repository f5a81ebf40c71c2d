import { Type } from 'typebox';
import { requestAuditContext } from '../audit/audit.js';
import type { Db } from '../db/database.js';
import { IdCursor } from '../http/schemas.js';
import type { App } from '../http/types.js';
import { listOutboxEvents, retryDeadEventAudited } from './admin.js';

const tags = ['admin: events'];
const Status = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')]);

const Event = Type.Object({
  id: Type.String(),
  type: Type.String(),
  aggregateId: Type.Union([Type.Null(), Type.String()]),
  status: Status,
  attempts: Type.Integer(),
  lastError: Type.Union([Type.Null(), Type.String()]),
  createdAt: Type.String({ format: 'date-time' }),
  availableAt: Type.String({ format: 'date-time' }),
  payload: Type.Record(Type.String(), Type.Unknown()),
});

/**
 * Operator routes for the outbox (the CLI's `outbox list` / `outbox retry` over HTTP): find events
 * that could not be delivered and put them back in the queue once the cause is fixed.
 */
export async function outboxRoutes(app: App, deps: { db: Db }) {
  const { db } = deps;

  app.get(
    '/v1/admin/events',
    {
      config: { auth: { permission: 'events:read' } },
      schema: {
        tags,
        summary: 'Outbox events, newest first (e.g. `?status=dead` for the ones that gave up)',
        querystring: Type.Object(
          {
            status: Type.Optional(Status),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(IdCursor('event')),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ data: Type.Array(Event), nextCursor: Type.Union([Type.Null(), Type.String()]) }),
        },
      },
    },
    async (request) => {
      const { status, limit, cursor } = request.query;
      const rows = await listOutboxEvents(db, {
        limit: limit + 1,
        ...(status ? { status } : {}),
        ...(cursor ? { beforeId: cursor } : {}),
      });
      const data = rows.slice(0, limit).map((r) => ({
        ...r,
        createdAt: r.createdAt.toISOString(),
        availableAt: r.availableAt.toISOString(),
      }));
      return { data, nextCursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
    },
  );

  app.post(
    '/v1/admin/events/:id/retry',
    {
      config: { auth: { permission: 'events:manage' } },
      schema: {
        tags,
        summary: 'Put a dead event back in the queue with a fresh attempt budget',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await retryDeadEventAudited(db, requestAuditContext(request), id);
      return reply.code(204).send(null);
    },
  );
}
