import { type Static, Type } from 'typebox';
import { MoneyAmount } from '../../platform/http/schemas.js';

/** Request and response shapes of the admin product routes. */

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([Type.Null(), t]);

export const Handle = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  description: 'lowercase letters, digits and single hyphens',
});
const Title = Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' });
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' });
const Amount = MoneyAmount();
const Id = Type.String({ minLength: 1, maxLength: 100 });

export const Image = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://\\S+$' }),
    alt: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  },
  { additionalProperties: false },
);

export const Attribute = Type.Union([
  Type.Object(
    {
      key: Type.String({ minLength: 1, maxLength: 100 }),
      type: Type.Literal('text'),
      value: Type.String({ maxLength: 2000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { key: Type.String({ minLength: 1, maxLength: 100 }), type: Type.Literal('number'), value: Type.Number() },
    { additionalProperties: false },
  ),
  Type.Object(
    { key: Type.String({ minLength: 1, maxLength: 100 }), type: Type.Literal('boolean'), value: Type.Boolean() },
    { additionalProperties: false },
  ),
]);

export const OptionInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    values: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
);

export const PriceInput = Type.Object(
  { currency: Currency, amount: Amount, compareAtAmount: Type.Optional(Type.Union([Type.Null(), Amount])) },
  { additionalProperties: false },
);

export const VariantInput = Type.Object(
  {
    title: Type.Optional(Title),
    sku: Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S+$' }),
    barcode: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
    weightGrams: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 10_000_000 })])),
    options: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 100 }))),
    prices: Type.Optional(Type.Array(PriceInput, { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export type VariantInputT = Static<typeof VariantInput>;

const productFields = {
  title: Title,
  handle: Handle,
  subtitle: Nullable(Type.String({ maxLength: 300 })),
  description: Type.String({ maxLength: 50_000 }),
  status: Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('archived')]),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, uniqueItems: true }),
  attributes: Type.Array(Attribute, { maxItems: 100 }),
  images: Type.Array(Image, { maxItems: 50 }),
  seoTitle: Nullable(Type.String({ maxLength: 300 })),
  seoDescription: Nullable(Type.String({ maxLength: 1000 })),
  categoryIds: Type.Array(Id, { maxItems: 50, uniqueItems: true }),
  salesChannelIds: Type.Array(Id, { maxItems: 50, uniqueItems: true }),
  options: Type.Array(OptionInput, { maxItems: 3 }),
};

export const CreateProductBody = Type.Object(
  {
    title: productFields.title,
    handle: Type.Optional(productFields.handle),
    subtitle: Type.Optional(productFields.subtitle),
    description: Type.Optional(productFields.description),
    status: Type.Optional(productFields.status),
    tags: Type.Optional(productFields.tags),
    attributes: Type.Optional(productFields.attributes),
    images: Type.Optional(productFields.images),
    seoTitle: Type.Optional(productFields.seoTitle),
    seoDescription: Type.Optional(productFields.seoDescription),
    categoryIds: Type.Optional(productFields.categoryIds),
    salesChannelIds: Type.Optional(productFields.salesChannelIds),
    options: Type.Optional(productFields.options),
    variants: Type.Optional(Type.Array(VariantInput, { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type CreateProductInput = Static<typeof CreateProductBody>;

const { variants: _variants, ...updatable } = CreateProductBody.properties;
/** Every product field but the variants (they have their own routes), each optional. */
export const UpdateProductBody = Type.Partial(Type.Object(updatable), {
  additionalProperties: false,
  minProperties: 1,
});
export type UpdateProductInput = Static<typeof UpdateProductBody>;

export const UpdateVariantBody = Type.Object(
  {
    title: Type.Optional(Title),
    sku: Type.Optional(VariantInput.properties.sku),
    barcode: VariantInput.properties.barcode,
    weightGrams: VariantInput.properties.weightGrams,
    options: VariantInput.properties.options,
    prices: Type.Optional(Type.Array(PriceInput, { maxItems: 50, description: 'replaces the variant’s prices' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateVariantInput = Static<typeof UpdateVariantBody>;

const Money = Type.Object({ amount: Type.Integer(), currency: Type.String() });

export const VariantView = Type.Object({
  id: Type.String(),
  title: Type.String(),
  sku: Type.String(),
  barcode: Type.Union([Type.Null(), Type.String()]),
  weightGrams: Type.Union([Type.Null(), Type.Integer()]),
  options: Type.Record(Type.String(), Type.String()),
  position: Type.Integer(),
  prices: Type.Array(Type.Object({ price: Money, compareAtPrice: Type.Union([Type.Null(), Money]) })),
});

export const ProductView = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  title: Type.String(),
  subtitle: Type.Union([Type.Null(), Type.String()]),
  description: Type.String(),
  status: Type.String(),
  tags: Type.Array(Type.String()),
  attributes: Type.Array(Type.Unknown()),
  images: Type.Array(Type.Object({ url: Type.String(), alt: Type.Union([Type.Null(), Type.String()]) })),
  seoTitle: Type.Union([Type.Null(), Type.String()]),
  seoDescription: Type.Union([Type.Null(), Type.String()]),
  options: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), values: Type.Array(Type.String()) })),
  variants: Type.Array(VariantView),
  categoryIds: Type.Array(Type.String()),
  collectionIds: Type.Array(Type.String()),
  salesChannelIds: Type.Array(Type.String()),
  version: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type ProductViewT = Static<typeof ProductView>;

export const ProductSummary = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  title: Type.String(),
  status: Type.String(),
  variantCount: Type.Integer(),
  skus: Type.Array(Type.String()),
  version: Type.Integer(),
  updatedAt: Type.String({ format: 'date-time' }),
});
