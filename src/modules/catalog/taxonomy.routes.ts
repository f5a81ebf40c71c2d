import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { App } from '../../platform/http/types.js';
import type { CatalogDeps } from './catalog.deps.js';
import { createCategory, deleteCategory, listCategories, updateCategory } from './categories.service.js';
import {
  createCollection,
  deleteCollection,
  getCollection,
  listCollections,
  updateCollection,
} from './collections.service.js';
import { Handle } from './products.schemas.js';

const Id = Type.String({ minLength: 1, maxLength: 100 });
const Params = Type.Object({ id: Id });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Description = Type.String({ maxLength: 5000 });

const Category = Type.Object({
  id: Type.String(),
  parentId: Type.Union([Type.Null(), Type.String()]),
  name: Type.String(),
  handle: Type.String(),
  description: Type.String(),
  position: Type.Integer(),
  path: Type.Array(Type.String(), { description: 'ancestor ids, root first' }),
  productCount: Type.Integer(),
});

const Collection = Type.Object({
  id: Type.String(),
  title: Type.String(),
  handle: Type.String(),
  description: Type.String(),
  productIds: Type.Array(Type.String(), { description: 'in display order' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const ProductIds = Type.Array(Id, {
  maxItems: 10_000,
  uniqueItems: true,
  description: 'replaces the list, in this order',
});

/** Categories (a tree) and collections (ordered lists): `catalog:read` / `catalog:write`. */
export async function taxonomyRoutes(app: App, deps: CatalogDeps) {
  const { db } = deps;
  const read = { auth: { permission: 'catalog:read' as const } };
  const write = { auth: { permission: 'catalog:write' as const } };

  app.get(
    '/v1/admin/categories',
    {
      config: read,
      schema: {
        tags: ['admin: categories'],
        summary: 'The category tree, flattened in tree order',
        response: { 200: Type.Object({ data: Type.Array(Category), nextCursor: Type.Null() }) },
      },
    },
    async () => ({ data: await listCategories(db), nextCursor: null }),
  );

  app.post(
    '/v1/admin/categories',
    {
      config: write,
      schema: {
        tags: ['admin: categories'],
        summary: 'Create a category (under `parentId`, or at the root)',
        body: Type.Object(
          {
            name: Name,
            handle: Type.Optional(Handle),
            parentId: Type.Optional(Type.Union([Type.Null(), Id])),
            description: Type.Optional(Description),
            position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Category },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createCategory(deps, requestAuditContext(request), request.body)),
  );

  app.patch(
    '/v1/admin/categories/:id',
    {
      config: write,
      schema: {
        tags: ['admin: categories'],
        summary: 'Rename or move a category (never under itself or a descendant)',
        params: Params,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            handle: Type.Optional(Handle),
            parentId: Type.Optional(Type.Union([Type.Null(), Id])),
            description: Type.Optional(Description),
            position: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Category },
      },
    },
    async (request) => updateCategory(deps, requestAuditContext(request), request.params.id, request.body),
  );

  app.delete(
    '/v1/admin/categories/:id',
    {
      config: write,
      schema: {
        tags: ['admin: categories'],
        summary: 'Delete a category without sub-categories',
        params: Params,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteCategory(deps, requestAuditContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/admin/collections',
    {
      config: read,
      schema: {
        tags: ['admin: collections'],
        summary: 'Every collection with its products in order',
        response: { 200: Type.Object({ data: Type.Array(Collection), nextCursor: Type.Null() }) },
      },
    },
    async () => ({ data: await listCollections(db), nextCursor: null }),
  );

  app.get(
    '/v1/admin/collections/:id',
    {
      config: read,
      schema: {
        tags: ['admin: collections'],
        summary: 'One collection',
        params: Params,
        response: { 200: Collection },
      },
    },
    async (request) => getCollection(db, request.params.id),
  );

  app.post(
    '/v1/admin/collections',
    {
      config: write,
      schema: {
        tags: ['admin: collections'],
        summary: 'Create a collection, optionally with its products in order',
        body: Type.Object(
          {
            title: Name,
            handle: Type.Optional(Handle),
            description: Type.Optional(Description),
            productIds: Type.Optional(ProductIds),
          },
          { additionalProperties: false },
        ),
        response: { 201: Collection },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createCollection(deps, requestAuditContext(request), request.body)),
  );

  app.patch(
    '/v1/admin/collections/:id',
    {
      config: write,
      schema: {
        tags: ['admin: collections'],
        summary: 'Update a collection; `productIds` replaces its ordered product list',
        params: Params,
        body: Type.Object(
          {
            title: Type.Optional(Name),
            handle: Type.Optional(Handle),
            description: Type.Optional(Description),
            productIds: Type.Optional(ProductIds),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Collection },
      },
    },
    async (request) => updateCollection(deps, requestAuditContext(request), request.params.id, request.body),
  );

  app.delete(
    '/v1/admin/collections/:id',
    {
      config: write,
      schema: {
        tags: ['admin: collections'],
        summary: 'Delete a collection (its products stay)',
        params: Params,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteCollection(deps, requestAuditContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
