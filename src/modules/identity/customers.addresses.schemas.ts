import { type Static, Type } from 'typebox';

/** Request and response shapes of the customer address book (`/v1/store/customers/me/addresses`). */
const Line = Type.String({ minLength: 1, maxLength: 200 });
const OptionalLine = Type.String({ maxLength: 200 });
// Null first: with type coercion on, `null` would otherwise be coerced to "" by the string branch.
const NullableLine = Type.Union([Type.Null(), OptionalLine]);
const CountryCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, upper case (e.g. `DE`).' });

export const AddressCreateBody = Type.Object(
  {
    firstName: Line,
    lastName: Line,
    company: Type.Optional(NullableLine),
    line1: Line,
    line2: Type.Optional(NullableLine),
    city: Line,
    postalCode: Type.String({ minLength: 1, maxLength: 20 }),
    region: Type.Optional(NullableLine),
    countryCode: CountryCode,
    phone: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 40 })])),
    isDefaultShipping: Type.Optional(Type.Boolean()),
    isDefaultBilling: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AddressCreateInput = Static<typeof AddressCreateBody>;

export const AddressUpdateBody = Type.Object(
  {
    firstName: Type.Optional(Line),
    lastName: Type.Optional(Line),
    company: Type.Optional(NullableLine),
    line1: Type.Optional(Line),
    line2: Type.Optional(NullableLine),
    city: Type.Optional(Line),
    postalCode: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    region: Type.Optional(NullableLine),
    countryCode: Type.Optional(CountryCode),
    phone: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 40 })])),
    isDefaultShipping: Type.Optional(Type.Boolean()),
    isDefaultBilling: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AddressUpdateInput = Static<typeof AddressUpdateBody>;

const Nullable = Type.Union([Type.Null(), Type.String()]);

export const AddressSchema = Type.Object(
  {
    id: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    company: Nullable,
    line1: Type.String(),
    line2: Nullable,
    city: Type.String(),
    postalCode: Type.String(),
    region: Nullable,
    countryCode: Type.String(),
    phone: Nullable,
    isDefaultShipping: Type.Boolean(),
    isDefaultBilling: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type AddressView = Static<typeof AddressSchema>;

export const AddressList = Type.Object({ data: Type.Array(AddressSchema) }, { additionalProperties: false });

export const AddressParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
