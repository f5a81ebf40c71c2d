import { Type } from 'typebox';
import { requestAuditContext } from '../audit/audit.js';
import type { Db } from '../db/database.js';
import { ValidationError } from '../errors.js';
import type { App } from '../http/types.js';
import { listEvents, retryDeadEventAudited } from './admin.js';
import { sequenceEvents } from './sequencer.js';

const tags = ['admin: events'];
const Status = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')]);

/** A position: a string of digits (a bigint, so never a JSON number). */
const POSITION_PATTERN = '^(0|[1-9][0-9]{0,18})$';
const MAX_POSITION = 9_223_372_036_854_775_807n;
const TYPE = '[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+';
const MAX_TYPES = 50;

const Event = Type.Object({
  id: Type.String(),
  type: Type.String(),
  aggregateId: Type.Union([Type.Null(), Type.String()]),
  requestId: Type.Union([Type.Null(), Type.String()]),
  position: Type.String({ pattern: POSITION_PATTERN, description: 'Commit-order position: the cursor' }),
  sequencedAt: Type.String({ format: 'date-time' }),
  status: Status,
  attempts: Type.Integer(),
  lastError: Type.Union([Type.Null(), Type.String()]),
  createdAt: Type.String({ format: 'date-time' }),
  availableAt: Type.String({ format: 'date-time' }),
  payload: Type.Record(Type.String(), Type.Unknown()),
});

const Cursor = (description: string) => Type.String({ pattern: POSITION_PATTERN, description });

const description = `
Events in **commit order**: every event gets a \`position\` once the transaction that wrote it has
committed, and positions only grow, so a consumer that keeps the \`position\` of the last event it
handled and asks again with \`after=<it>\` sees every event exactly once, in the order the changes
happened (for one resource, always). \`nextCursor\` is that last position when more events are
waiting right now, otherwise \`null\` — a consumer that caught up keeps its own last position and
polls again later. Filter by \`type\` (one or several, comma-separated) and \`resourceId\` (the id
the event is about); filters do not change positions, so the same cursor works with or without them.

\`order=desc\` lists newest first (the operator's view; \`after\` then pages back in time), and
\`status\` filters by in-process delivery (\`dead\`: the ones that gave up).

Events are kept for \`EVENT_RETENTION_DAYS\` (default 30 days) whatever their delivery status, then
pruned (never while pending): a consumer that was down longer than that must resynchronise from the
resources themselves.`.trim();

/**
 * The events API (`GET /v1/admin/events`, a stable consumer API in commit order) and the operator's
 * retry (`POST /v1/admin/events/{id}/retry`, also the CLI's `outbox retry`).
 */
export async function outboxRoutes(app: App, deps: { db: Db }) {
  const { db } = deps;

  app.get(
    '/v1/admin/events',
    {
      config: { auth: { permission: 'events:read' } },
      schema: {
        tags,
        summary: 'Events in commit order, for consumers catching up (cursor: position)',
        description,
        querystring: Type.Object(
          {
            type: Type.Optional(
              Type.String({
                pattern: `^${TYPE}(,${TYPE})*$`,
                maxLength: 2000,
                description: `Event types, comma-separated (\`order.placed,order.cancelled\`), at most ${MAX_TYPES}`,
              }),
            ),
            resourceId: Type.Optional(
              Type.String({ minLength: 1, maxLength: 100, description: 'Only events about this resource (its id)' }),
            ),
            after: Type.Optional(Cursor('Only events after this position (in the listing order): your last one')),
            cursor: Type.Optional(Cursor('`nextCursor` of the previous page (the same as `after`)')),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], {
              default: 'asc',
              description: '`asc`: commit order (consumers); `desc`: newest first',
            }),
            status: Type.Optional(Status),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ data: Type.Array(Event), nextCursor: Type.Union([Type.Null(), Type.String()]) }),
        },
      },
    },
    async (request) => {
      const { type, resourceId, after, cursor, limit, order, status } = request.query;
      const types = type ? [...new Set(type.split(','))] : undefined;
      if (types && types.length > MAX_TYPES) {
        throw new ValidationError([{ path: '/query/type', message: `at most ${MAX_TYPES} event types` }]);
      }
      if (after !== undefined && cursor !== undefined && after !== cursor) {
        throw new ValidationError([
          { path: '/query/cursor', message: 'give either after or cursor (or the same value)' },
        ]);
      }
      const from = after ?? cursor;
      if (from !== undefined && BigInt(from) > MAX_POSITION) {
        throw new ValidationError([
          { path: after !== undefined ? '/query/after' : '/query/cursor', message: 'is not a position' },
        ]);
      }
      // Events committed a moment ago get their position now: the API works without a worker running.
      await sequenceEvents(db);
      const rows = await listEvents(db, {
        order,
        limit: limit + 1,
        ...(types ? { types } : {}),
        ...(resourceId ? { aggregateId: resourceId } : {}),
        ...(status ? { status } : {}),
        ...(from !== undefined ? { after: from } : {}),
      });
      const data = rows.slice(0, limit).map((r) => ({
        ...r,
        createdAt: r.createdAt.toISOString(),
        availableAt: r.availableAt.toISOString(),
        sequencedAt: r.sequencedAt.toISOString(),
      }));
      return { data, nextCursor: rows.length > limit ? (data.at(-1)?.position ?? null) : null };
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
