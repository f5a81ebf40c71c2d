import { type Static, type TSchema, Type } from 'typebox';

/** Request and response schemas of the storefront product routes. */

export const sorts = ['newest', 'price_asc', 'price_desc', 'title', 'relevance'] as const;
export type Sort = (typeof sorts)[number];

const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' });

export const ListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 500, description: 'nextCursor of the previous page' }),
    ),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Full-text search, typo tolerant; last word is a prefix',
      }),
    ),
    category: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Category id or handle (with sub-categories)' }),
    ),
    collection: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "Collection id or handle (default sort: the collection's order)",
      }),
    ),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    minPrice: Type.Optional(Type.Integer({ minimum: 0, description: 'Minor units of `currency` (the "from" price)' })),
    maxPrice: Type.Optional(Type.Integer({ minimum: 0, description: 'Minor units of `currency` (the "from" price)' })),
    inStock: Type.Optional(Type.Boolean({ description: 'Only products with a variant that can be bought' })),
    sort: Type.Optional(
      Type.Union(
        sorts.map((s) => Type.Literal(s)),
        { description: 'Default: relevance with `q`, the collection order with `collection`, else newest' },
      ),
    ),
    currency: Type.Optional(Currency),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

export const DetailQuery = Type.Object({ currency: Type.Optional(Currency) }, { additionalProperties: false });
export const DetailParams = Type.Object({ idOrHandle: Type.String({ minLength: 1, maxLength: 200 }) });

const Nullable = <T extends TSchema>(t: T) => Type.Union([Type.Null(), t]);
const Money = Type.Object({ amount: Type.Integer(), currency: Type.String() });
const Availability = Type.Union([Type.Literal('in_stock'), Type.Literal('low_stock'), Type.Literal('out_of_stock')]);

const StoreVariant = Type.Object({
  id: Type.String(),
  title: Type.String(),
  sku: Type.String(),
  options: Type.Record(Type.String(), Type.String()),
  weightGrams: Nullable(Type.Integer()),
  price: Nullable(Money),
  compareAtPrice: Nullable(Money),
  availability: Availability,
  available: Type.Optional(
    Nullable(Type.Integer({ description: 'Only when the shop shows stock counts; null = not tracked' })),
  ),
});

export const StoreProduct = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  title: Type.String(),
  subtitle: Nullable(Type.String()),
  description: Type.String(),
  tags: Type.Array(Type.String()),
  attributes: Type.Array(
    Type.Object({
      key: Type.String(),
      type: Type.String(),
      value: Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
    }),
  ),
  images: Type.Array(Type.Object({ url: Type.String(), alt: Nullable(Type.String()) })),
  seoTitle: Nullable(Type.String()),
  seoDescription: Nullable(Type.String()),
  options: Type.Array(Type.Object({ name: Type.String(), values: Type.Array(Type.String()) })),
  categories: Type.Array(Type.Object({ id: Type.String(), handle: Type.String(), name: Type.String() })),
  collections: Type.Array(Type.Object({ id: Type.String(), handle: Type.String(), title: Type.String() })),
  currency: Nullable(Type.String({ description: 'The currency prices are shown in (null: the product has no price)' })),
  priceRange: Nullable(Type.Object({ min: Money, max: Money })),
  availability: Availability,
  variants: Type.Array(StoreVariant),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type StoreProduct = Static<typeof StoreProduct>;

export const ProductList = Type.Object({
  data: Type.Array(StoreProduct),
  nextCursor: Nullable(Type.String()),
  total: Type.Integer({ description: 'Products matching the filters (all pages)' }),
});
export type ProductList = Static<typeof ProductList>;

/** Response headers of the cacheable storefront answers (documented in the OpenAPI document). */
export const storefrontCacheHeaders = {
  etag: Type.String({
    description: 'Weak entity tag of this answer; send it back as `If-None-Match` to get `304` while it is current',
  }),
  'cache-control': Type.String({ description: '`public, max-age=<s>, stale-while-revalidate=<s>`' }),
  vary: Type.String({ description: 'Names `x-publishable-key`: the channel varies the answer' }),
  'surrogate-key': Type.String({
    description: 'Space-separated purge keys: `product:<id>` per product shown, plus `products` on lists',
  }),
  'cache-tag': Type.String({ description: 'The same keys, comma-separated (Cloudflare)' }),
};

/** `If-None-Match` (any value: a malformed one only means a full answer). */
export const ConditionalHeaders = Type.Object(
  {
    'if-none-match': Type.Optional(
      Type.String({ description: 'ETags of answers you hold; a current one gets `304 Not Modified`' }),
    ),
  },
  { additionalProperties: true },
);

export const storefrontNotModified = Type.Null({
  description: 'Not Modified: the `If-None-Match` tag is current (no body; the same caching headers)',
});

/** `data` of the `catalog.storefront_changed` webhook: what a CDN hook purges. */
export const StorefrontChange = Type.Object(
  {
    keys: Type.Array(Type.String(), {
      description: 'Surrogate keys to purge: `products` (every list) and `product:<id>` per changed product',
    }),
    productIds: Type.Array(Type.String(), { description: 'The changed products' }),
  },
  { description: 'Storefront answers that a catalog change made stale.' },
);
