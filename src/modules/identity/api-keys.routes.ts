import { Type } from 'typebox';
import type { Db } from '../../platform/db/database.js';
import { IdCursor } from '../../platform/http/schemas.js';
import type { App } from '../../platform/http/types.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.js';
import { auditContext } from './audit.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('secret'), Type.Literal('publishable')]),
  hint: Type.String(),
  permissions: Type.Array(Type.String()),
  salesChannelId: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  lastUsedAt: Nullable(Type.String({ format: 'date-time' })),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
});

const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    kind: Type.Union([Type.Literal('secret'), Type.Literal('publishable')]),
    permissions: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 })),
    salesChannelId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: "Publishable keys: pin a channel (omitted: follow the shop's default)",
      }),
    ),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

/** API keys: created with the value shown once, listed without it, revoked at once. */
export async function apiKeyRoutes(app: App, deps: { db: Db }) {
  app.post(
    '/v1/admin/api-keys',
    {
      // The response holds the key value: it must not be stored for idempotent replay.
      config: { auth: { permission: 'keys:manage' }, idempotency: false },
      schema: {
        tags: ['admin: api keys'],
        summary: 'Create an API key; the key value is returned only in this response',
        body: CreateBody,
        response: { 201: Type.Object({ ...ApiKey.properties, key: Type.String() }) },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const created = await createApiKey(
        deps.db,
        {
          ctx: auditContext(p, request),
          createdBy: p.type === 'anonymous' ? null : p.id,
          permissions: p.type === 'staff' || p.type === 'api_key' ? p.permissions : new Set(),
        },
        request.body,
      );
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/v1/admin/api-keys',
    {
      config: { auth: { permission: 'keys:manage' } },
      schema: {
        tags: ['admin: api keys'],
        summary: 'List API keys, newest first (never the key values)',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(IdCursor('apiKey')),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(ApiKey), nextCursor: Nullable(Type.String()) }) },
      },
    },
    async (request) => listApiKeys(deps.db, request.query),
  );

  app.delete(
    '/v1/admin/api-keys/:id',
    {
      config: { auth: { permission: 'keys:manage' } },
      schema: {
        tags: ['admin: api keys'],
        summary: 'Revoke an API key; it stops working on the next request',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await revokeApiKey(deps.db, auditContext(request.principal, request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
