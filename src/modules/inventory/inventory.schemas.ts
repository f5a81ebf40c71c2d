import { Type } from 'typebox';
import { adjustmentReasons } from './adjustments.service.js';
import { movementReasons } from './levels.sql.js';

/** TypeBox schemas of the inventory admin API. */

export const tags = ['admin: inventory'];
export const Id = Type.String({ minLength: 1, maxLength: 100 });
export const IdParams = Type.Object({ id: Id });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([Type.Null(), t]);
export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 });

export const Address = Type.Object(
  {
    line1: Type.Optional(Type.String({ maxLength: 200 })),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.Optional(Type.String({ maxLength: 100 })),
    postalCode: Type.Optional(Type.String({ maxLength: 20 })),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    countryCode: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
  },
  { additionalProperties: false },
);

export const Location = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  address: Address,
  active: Type.Boolean(),
  priority: Type.Integer({ description: 'Holds are taken from active locations in ascending priority' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9]+([-_][a-z0-9]+)*$' });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Priority = Type.Integer({ minimum: 0, maximum: 1_000_000 });

export const CreateLocationBody = Type.Object(
  {
    code: Code,
    name: Name,
    address: Type.Optional(Address),
    active: Type.Optional(Type.Boolean()),
    priority: Type.Optional(Priority),
  },
  { additionalProperties: false },
);

export const UpdateLocationBody = Type.Object(
  {
    code: Type.Optional(Code),
    name: Type.Optional(Name),
    address: Type.Optional(Address),
    active: Type.Optional(Type.Boolean()),
    priority: Type.Optional(Priority),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const Level = Type.Object({
  locationId: Type.String(),
  locationCode: Type.String(),
  active: Type.Boolean(),
  onHand: Type.Integer(),
  reserved: Type.Integer(),
  held: Type.Integer(),
  available: Type.Integer(),
});

export const Item = Type.Object({
  id: Type.String(),
  sku: Type.String(),
  variantId: Nullable(Type.String()),
  tracked: Type.Boolean(),
  allowBackorder: Type.Boolean(),
  lowStockThreshold: Type.Integer(),
  available: Type.Union([Type.Null(), Type.Integer()], { description: 'Over active locations; null = not tracked' }),
  lowStock: Type.Boolean(),
  levels: Type.Array(Level),
});

export const ItemQuery = Type.Object(
  {
    limit: Limit,
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    sku: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'SKU contains (case-insensitive)' })),
    skus: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        maxItems: 100,
        description:
          'These exact SKUs (repeat the parameter). With `sku`, items matching either are listed: the admin finds ' +
          "items by product title this way, with the SKUs of the catalog's matching products.",
      }),
    ),
    locationId: Type.Optional(Id),
    lowStock: Type.Optional(Type.Boolean({ description: 'Only tracked items at or under their threshold' })),
  },
  { additionalProperties: false },
);

export const ItemSettingsBody = Type.Object(
  {
    tracked: Type.Optional(Type.Boolean()),
    allowBackorder: Type.Optional(Type.Boolean()),
    lowStockThreshold: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const Units = (description: string) => Type.Integer({ minimum: 0, maximum: 100_000_000, description });

export const AdjustBody = Type.Object(
  {
    locationId: Id,
    delta: Type.Optional(Type.Integer({ minimum: -100_000_000, maximum: 100_000_000, description: '± units' })),
    set: Type.Optional(Units('New on hand (with expectedOnHand)')),
    expectedOnHand: Type.Optional(Units('Compare-and-set: refused with 409 if on hand differs')),
    reason: Type.Union(adjustmentReasons.map((r) => Type.Literal(r))),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const TransferBody = Type.Object(
  {
    itemId: Id,
    fromLocationId: Id,
    toLocationId: Id,
    quantity: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const ComponentsBody = Type.Object(
  {
    components: Type.Array(
      Type.Object(
        { itemId: Id, quantity: Type.Integer({ minimum: 1, maximum: 10_000 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);

export const Components = Type.Object({
  variantId: Type.String(),
  components: Type.Array(Type.Object({ itemId: Type.String(), quantity: Type.Integer() })),
});

export const Movement = Type.Object({
  id: Type.String(),
  itemId: Type.String(),
  locationId: Type.String(),
  deltaOnHand: Type.Integer(),
  deltaReserved: Type.Integer(),
  deltaHeld: Type.Integer(),
  after: Type.Object(
    { onHand: Type.Integer(), reserved: Type.Integer(), held: Type.Integer(), available: Type.Integer() },
    { description: 'The level right after this change' },
  ),
  reason: Type.String(),
  referenceType: Nullable(Type.String()),
  referenceId: Nullable(Type.String()),
  note: Nullable(Type.String()),
  actorType: Type.String(),
  actorId: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const MovementQuery = Type.Object(
  {
    limit: Limit,
    cursor: Type.Optional(Id),
    locationId: Type.Optional(Id),
    reason: Type.Optional(Type.Union(movementReasons.map((r) => Type.Literal(r)))),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export const Page = <T extends ReturnType<typeof Type.Object>>(t: T) =>
  Type.Object({ data: Type.Array(t), nextCursor: Nullable(Type.String()) });
