import { Type } from 'typebox';
import { AddressCreateBody, Email } from '../identity/index.js';
import { Country, Currency, Id } from './checkout.schemas.js';

/** Request and response shapes of the storefront cart routes. */

export const MoneySchema = Type.Object({
  amount: Type.Integer({ description: 'minor units' }),
  currency: Type.String(),
});

/** A postal address, validated like a customer's address-book entry (without the default flags). */
export const CartAddressBody = Type.Omit(AddressCreateBody, ['isDefaultShipping', 'isDefaultBilling'], {
  additionalProperties: false,
});

const Nullable = Type.Union([Type.Null(), Type.String()]);
const AddressView = Type.Object({
  firstName: Type.String(),
  lastName: Type.String(),
  company: Type.Optional(Nullable),
  line1: Type.String(),
  line2: Type.Optional(Nullable),
  city: Type.String(),
  postalCode: Type.String(),
  region: Type.Optional(Nullable),
  countryCode: Type.String(),
  phone: Type.Optional(Nullable),
});

export const CartParams = Type.Object({ id: Id });
export const LineParams = Type.Object({ id: Id, lineId: Id });
export const CodeParams = Type.Object({ id: Id, code: Type.String({ minLength: 1, maxLength: 64 }) });
export const Quantity = (minimum: number) => Type.Integer({ minimum, maximum: 999 });

export const CreateCartBody = Type.Object(
  {
    regionId: Type.Optional(Id),
    currency: Type.Optional(Currency),
    countryCode: Type.Optional(Country),
  },
  { additionalProperties: false },
);

export const AddLineBody = Type.Object({ variantId: Id, quantity: Quantity(1) }, { additionalProperties: false });
export const SetQuantityBody = Type.Object(
  { quantity: Type.Integer({ minimum: 0, maximum: 999, description: '0 removes the line' }) },
  { additionalProperties: false },
);
export const UpdateCartBody = Type.Object(
  {
    email: Type.Optional(Email),
    shippingAddress: Type.Optional(CartAddressBody),
    billingAddress: Type.Optional(Type.Union([Type.Null(), CartAddressBody])),
    regionId: Type.Optional(Id),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const ShippingMethodBody = Type.Object({ optionId: Id }, { additionalProperties: false });
export const PromoCodeBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);

const NullableString = Type.Union([Type.Null(), Type.String()]);
export const CartLineSchema = Type.Object({
  id: Type.String(),
  variantId: Type.String(),
  productId: NullableString,
  title: NullableString,
  variantTitle: NullableString,
  sku: NullableString,
  quantity: Type.Integer(),
  available: Type.Boolean({ description: 'false: no longer sellable or priced in the cart currency; not in totals' }),
  unitPrice: MoneySchema,
  subtotal: MoneySchema,
  discount: MoneySchema,
  tax: MoneySchema,
  total: MoneySchema,
});

export const CartSchema = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('completing'), Type.Literal('completed')]),
  customerId: NullableString,
  currency: Type.String(),
  region: Type.Union([
    Type.Null(),
    Type.Object({ id: Type.String(), name: Type.String(), taxInclusive: Type.Boolean() }),
  ]),
  countryCode: NullableString,
  email: NullableString,
  shippingAddress: Type.Union([Type.Null(), AddressView]),
  billingAddress: Type.Union([Type.Null(), AddressView]),
  shippingMethod: Type.Union([
    Type.Null(),
    Type.Object({ optionId: Type.String(), name: Type.String(), amount: MoneySchema }),
  ]),
  promoCodes: Type.Array(Type.String()),
  payment: Type.Union([Type.Null(), Type.Object({ provider: Type.String() })]),
  promotions: Type.Object({
    applied: Type.Array(
      Type.Object({ promotionId: Type.String(), code: Type.Union([Type.Null(), Type.String()]), amount: MoneySchema }),
    ),
    rejected: Type.Array(
      Type.Object({
        code: Type.String(),
        reason: Type.String({
          description:
            'unknown | expired | not_started | minimum_not_met | usage_limit_reached | not_combinable | currency | not_applicable',
        }),
      }),
    ),
  }),
  lines: Type.Array(CartLineSchema),
  totals: Type.Object({
    subtotal: MoneySchema,
    discountTotal: MoneySchema,
    shippingTotal: MoneySchema,
    taxTotal: MoneySchema,
    total: MoneySchema,
    taxLines: Type.Array(
      Type.Object({
        rate: Type.Integer({ description: 'thousandths of a percent: 19000 = 19%' }),
        base: MoneySchema,
        tax: MoneySchema,
      }),
    ),
  }),
  stock: Type.Union([
    Type.Null(),
    Type.Object({ heldUntil: Type.String({ format: 'date-time' }), expired: Type.Boolean() }),
  ]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const ShippingOptionList = Type.Object({
  data: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), amount: MoneySchema })),
  nextCursor: Type.Null(),
});
