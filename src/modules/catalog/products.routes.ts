import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import { NotFoundError } from '../../platform/errors.js';
import { etagOf, expectedVersion } from '../../platform/http/if-match.js';
import { IdCursor } from '../../platform/http/schemas.js';
import type { App } from '../../platform/http/types.js';
import type { CatalogDeps } from './catalog.deps.js';
import { bulkUpdatePrices, MAX_BULK_PRICES } from './prices.service.js';
import { findProductView, listProductSummaries } from './products.repository.js';
import {
  CreateProductBody,
  PriceInput,
  ProductSummary,
  ProductView,
  UpdateProductBody,
  UpdateVariantBody,
  VariantInput,
} from './products.schemas.js';
import { createProduct, deleteProduct, updateProduct } from './products.service.js';
import { addVariant, deleteVariant, updateVariant } from './variants.service.js';

const tags = ['admin: products'];
const Id = Type.String({ minLength: 1, maxLength: 100 });
const ProductParams = Type.Object({ id: Id });
const VariantParams = Type.Object({ id: Id, variantId: Id });
const IfMatch = Type.Object(
  { 'if-match': Type.Optional(Type.String({ description: 'the product `version` you read (required)' })) },
  { additionalProperties: true },
);
const versioned = 'Needs `If-Match: "<version>"` (428 without it, 412 `VERSION_MISMATCH` when stale).';

/** Admin products, variants and prices (`catalog:read` / `catalog:write`); every change is audited. */
export async function productRoutes(app: App, deps: CatalogDeps) {
  const { db } = deps;

  app.get(
    '/v1/admin/products',
    {
      config: { auth: { permission: 'catalog:read' } },
      schema: {
        tags,
        summary:
          'List or search products (title, SKU or barcode), newest first; filter by status, category, collection or sales channel',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            status: Type.Optional(
              Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('archived')]),
            ),
            categoryId: Type.Optional(Id),
            collectionId: Type.Optional(Id),
            salesChannelId: Type.Optional(Id),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(IdCursor('product')),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ data: Type.Array(ProductSummary), nextCursor: Type.Union([Type.Null(), Type.String()]) }),
        },
      },
    },
    async (request) => listProductSummaries(db, request.query),
  );

  app.get(
    '/v1/admin/products/:id',
    {
      config: { auth: { permission: 'catalog:read' } },
      schema: {
        tags,
        summary: 'One product with options, variants, prices and memberships',
        params: ProductParams,
        response: { 200: ProductView },
      },
    },
    async (request, reply) => {
      const product = await findProductView(db, request.params.id);
      if (!product) throw new NotFoundError('Product', request.params.id);
      reply.header('etag', etagOf(product.version));
      return product;
    },
  );

  app.post(
    '/v1/admin/products',
    {
      config: { auth: { permission: 'catalog:write' } },
      schema: {
        tags,
        summary: 'Create a product, with its options and variants (up to 100)',
        body: CreateProductBody,
        response: { 201: ProductView },
      },
    },
    async (request, reply) => {
      const product = await createProduct(deps, requestAuditContext(request), request.body);
      reply.header('location', `/v1/admin/products/${product.id}`).header('etag', etagOf(product.version));
      return reply.code(201).send(product);
    },
  );

  app.patch(
    '/v1/admin/products/:id',
    {
      config: { auth: { permission: 'catalog:write' } },
      schema: {
        tags,
        summary: 'Update a product (status `archived` hides it from every storefront)',
        description: `${versioned} \`categoryIds\` and \`salesChannelIds\` replace the whole set.`,
        params: ProductParams,
        headers: IfMatch,
        body: UpdateProductBody,
        response: { 200: ProductView },
      },
    },
    async (request, reply) => {
      const expected = expectedVersion(request.headers['if-match']);
      const product = await updateProduct(
        deps,
        requestAuditContext(request),
        request.params.id,
        expected,
        request.body,
      );
      reply.header('etag', etagOf(product.version));
      return product;
    },
  );

  app.delete(
    '/v1/admin/products/:id',
    {
      config: { auth: { permission: 'catalog:write' } },
      schema: {
        tags,
        summary: 'Delete a product that was never ordered (409 `PRODUCT_HAS_ORDERS` otherwise: archive it)',
        description: versioned,
        params: ProductParams,
        headers: IfMatch,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteProduct(
        deps,
        requestAuditContext(request),
        request.params.id,
        expectedVersion(request.headers['if-match']),
      );
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/admin/products/:id/variants',
    {
      config: { auth: { permission: 'catalog:write' } },
      schema: {
        tags,
        summary: 'Add a variant',
        description: versioned,
        params: ProductParams,
        headers: IfMatch,
        body: VariantInput,
        response: { 201: ProductView },
      },
    },
    async (request, reply) => {
      const product = await addVariant(
        deps,
        requestAuditContext(request),
        request.params.id,
        expectedVersion(request.headers['if-match']),
        request.body,
      );
      reply.header('etag', etagOf(product.version));
      return reply.code(201).send(product);
    },
  );

  app.patch(
    '/v1/admin/products/:id/variants/:variantId',
    {
      config: { auth: { permission: 'catalog:write' } },
      schema: {
        tags,
        summary: 'Update a variant (`prices` replaces its price list)',
        description: versioned,
        params: VariantParams,
        headers: IfMatch,
        body: UpdateVariantBody,
        response: { 200: ProductView },
      },
    },
    async (request, reply) => {
      const { id, variantId } = request.params;
      const product = await updateVariant(
        deps,
        requestAuditContext(request),
        { productId: id, variantId },
        expectedVersion(request.headers['if-match']),
        request.body,
      );
      reply.header('etag', etagOf(product.version));
      return product;
    },
  );

  app.delete(
    '/v1/admin/products/:id/variants/:variantId',
    {
      config: { auth: { permission: 'catalog:write' } },
      schema: {
        tags,
        summary: 'Delete a variant',
        description: versioned,
        params: VariantParams,
        headers: IfMatch,
        response: { 200: ProductView },
      },
    },
    async (request, reply) => {
      const { id, variantId } = request.params;
      const product = await deleteVariant(
        deps,
        requestAuditContext(request),
        { productId: id, variantId },
        expectedVersion(request.headers['if-match']),
      );
      reply.header('etag', etagOf(product.version));
      return product;
    },
  );

  app.post(
    '/v1/admin/prices/bulk',
    {
      config: { auth: { permission: 'catalog:write' } },
      schema: {
        tags,
        summary: `Set up to ${MAX_BULK_PRICES} prices at once, by variant id or SKU (all or nothing)`,
        body: Type.Object(
          {
            prices: Type.Array(
              Type.Object(
                {
                  variantId: Type.Optional(Id),
                  sku: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
                  ...PriceInput.properties,
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: MAX_BULK_PRICES },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ updated: Type.Integer(), productIds: Type.Array(Type.String()) }) },
      },
    },
    async (request) => bulkUpdatePrices(deps, requestAuditContext(request), request.body.prices),
  );
}
