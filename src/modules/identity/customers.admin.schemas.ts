import { type Static, Type } from 'typebox';
import { AddressSchema } from './customers.addresses.schemas.js';

/** Shapes of the staff routes on customers (`/v1/admin/customers`). */

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([Type.Null(), t]);
const DateTime = Type.String({ format: 'date-time' });
const Money = Type.Object({ amount: Type.Integer(), currency: Type.String() });

export const CustomerStatus = Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]);
export const CustomerSort = Type.Union(
  [Type.Literal('newest'), Type.Literal('oldest'), Type.Literal('email'), Type.Literal('name')],
  { default: 'newest' },
);
export type CustomerSortT = 'newest' | 'oldest' | 'email' | 'name';

/** A tag: trimmed, 1–50 characters, no commas (tags are shown and filtered one by one). */
export const Tag = Type.String({ minLength: 1, maxLength: 50, pattern: '^[^,\\s](?:[^,]*[^,\\s])?$' });

/** What the orders module knows about a customer's orders (placed ones only), per the app's wiring. */
export const CustomerOrderStats = Type.Object({
  orderCount: Type.Integer(),
  /** Per currency: placed, not cancelled orders' totals. */
  totalSpent: Type.Array(Money),
  lastOrderAt: Nullable(DateTime),
});
export type CustomerOrderStatsT = Static<typeof CustomerOrderStats>;

export const CustomerOrderSummary = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  status: Type.String(),
  paymentStatus: Type.String(),
  fulfillmentStatus: Type.String(),
  total: Money,
  createdAt: DateTime,
});
export type CustomerOrderSummaryT = Static<typeof CustomerOrderSummary>;

export const AdminCustomerSummary = Type.Object({
  id: Type.String(),
  email: Type.String(),
  firstName: Nullable(Type.String()),
  lastName: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  status: CustomerStatus,
  emailVerified: Type.Boolean(),
  erased: Type.Boolean({ description: 'Personal data erased: the fields hold placeholders' }),
  createdAt: DateTime,
  lastLoginAt: Nullable(DateTime),
  orders: CustomerOrderStats,
});
export type AdminCustomerSummaryT = Static<typeof AdminCustomerSummary>;

export const CustomerNote = Type.Object({
  id: Type.String(),
  body: Type.String(),
  author: Type.Object({
    type: Type.String(),
    id: Nullable(Type.String()),
    /** The staff member's name or email when the author is staff; null for keys and the system. */
    name: Nullable(Type.String()),
  }),
  createdAt: DateTime,
});
export type CustomerNoteT = Static<typeof CustomerNote>;

export const AdminCustomerDetail = Type.Object({
  ...AdminCustomerSummary.properties,
  version: Type.Integer({ description: 'Send as If-Match with PATCH' }),
  disabledAt: Nullable(DateTime),
  erasedAt: Nullable(DateTime),
  updatedAt: DateTime,
  addresses: Type.Array(AddressSchema),
  notes: Type.Array(CustomerNote),
  recentOrders: Type.Array(CustomerOrderSummary, { description: 'Up to 10, newest first' }),
});
export type AdminCustomerDetailT = Static<typeof AdminCustomerDetail>;

export const CustomerListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(
      Type.String({ minLength: 1, maxLength: 500, description: '`nextCursor` of the previous page' }),
    ),
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'part of the email, name or phone (any case)' }),
    ),
    status: Type.Optional(CustomerStatus),
    tag: Type.Optional(Tag),
    createdFrom: Type.Optional(DateTime),
    createdTo: Type.Optional(DateTime),
    erased: Type.Optional(Type.Boolean({ description: 'true: only erased customers; false: leave them out' })),
    sort: Type.Optional(CustomerSort),
  },
  { additionalProperties: false },
);
export type CustomerListQueryT = Static<typeof CustomerListQuery>;

export const CustomerPatchBody = Type.Object(
  {
    // Null first: with type coercion on, `null` would otherwise become "" through the string branch.
    firstName: Type.Optional(Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 100 })])),
    lastName: Type.Optional(Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 100 })])),
    phone: Type.Optional(
      Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 40, pattern: '^[0-9+()./ -]+$' })]),
    ),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 20, description: 'replaces the whole set' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type CustomerPatchInput = Static<typeof CustomerPatchBody>;

export const NoteBody = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 5000, pattern: '\\S' }) },
  { additionalProperties: false },
);
