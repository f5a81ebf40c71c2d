import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import {
  createSalesChannel,
  deleteSalesChannel,
  getSalesChannel,
  listSalesChannels,
  resolveSalesChannelId,
  updateSalesChannel,
} from './sales-channels.service.js';

const tags = ['admin: sales channels'];
const Name = Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' });
// Null first: with type coercion on, `null` would otherwise become "" through the string branch.
const Description = Type.Union([Type.Null(), Type.String({ maxLength: 500 })]);
const ChannelId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

const SalesChannel = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.Null(), Type.String()]),
  isDefault: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

/** Sales channels (`catalog:read` / `catalog:write`); publishable keys select one. */
export async function salesChannelRoutes(app: App, deps: { db: Db }) {
  const { db } = deps;

  app.get(
    '/v1/store/sales-channel',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['store: channel'],
        summary: 'The sales channel this request browses: the one `x-publishable-key` selects, else the default',
        description: 'A storefront can call this once at start-up to check its publishable key (401 if it is invalid).',
        response: { 200: Type.Object({ id: Type.String(), name: Type.String() }) },
      },
    },
    async (request) => {
      const channel = await getSalesChannel(db, await resolveSalesChannelId(db, request.salesChannelId));
      return { id: channel.id, name: channel.name };
    },
  );

  app.get(
    '/v1/admin/sales-channels',
    {
      config: { auth: { permission: 'catalog:read' } },
      schema: {
        tags,
        summary: 'Every sales channel, the default first',
        response: { 200: Type.Object({ data: Type.Array(SalesChannel), nextCursor: Type.Null() }) },
      },
    },
    async () => ({ data: await listSalesChannels(db), nextCursor: null }),
  );

  app.get(
    '/v1/admin/sales-channels/:id',
    {
      config: { auth: { permission: 'catalog:read' } },
      schema: { tags, summary: 'One sales channel', params: ChannelId, response: { 200: SalesChannel } },
    },
    async (request) => getSalesChannel(db, request.params.id),
  );

  app.post(
    '/v1/admin/sales-channels',
    {
      config: { auth: { permission: 'catalog:write' } },
      schema: {
        tags,
        summary: 'Create a sales channel (`isDefault: true` makes it the default)',
        body: Type.Object(
          { name: Name, description: Type.Optional(Description), isDefault: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 201: SalesChannel },
      },
    },
    async (request, reply) => {
      const channel = await createSalesChannel(db, requestAuditContext(request), request.body);
      reply.header('location', `/v1/admin/sales-channels/${channel.id}`);
      return reply.code(201).send(channel);
    },
  );

  app.patch(
    '/v1/admin/sales-channels/:id',
    {
      config: { auth: { permission: 'catalog:write' } },
      schema: {
        tags,
        summary: 'Rename a sales channel or make it the default',
        params: ChannelId,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            description: Type.Optional(Description),
            isDefault: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: SalesChannel },
      },
    },
    async (request) => updateSalesChannel(db, requestAuditContext(request), request.params.id, request.body),
  );

  app.delete(
    '/v1/admin/sales-channels/:id',
    {
      config: { auth: { permission: 'catalog:write' } },
      schema: {
        tags,
        summary: 'Delete a sales channel that is not the default and that no publishable key selects',
        params: ChannelId,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteSalesChannel(db, requestAuditContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
