import { Type } from 'typebox';

export const tags = ['admin: dashboard'];

const Money = Type.Object({ amount: Type.Integer(), currency: Type.String() });
const Day = Type.Object({
  orders: Type.Integer({ description: 'Orders placed in the period and not cancelled' }),
  sales: Type.Object(Money.properties, { description: "Sum of those orders' totals (tax and shipping included)" }),
});
const Filter = Type.Record(Type.String(), Type.Array(Type.String()), {
  description:
    'The orders list filter showing these orders (`GET /v1/admin/orders` parameters; several values of one parameter mean any of them)',
});
const Backlog = Type.Object({ count: Type.Integer(), filter: Filter });

const LowStockItem = Type.Object({
  itemId: Type.String(),
  sku: Type.String(),
  variantId: Type.Union([Type.String(), Type.Null()]),
  productId: Type.Union([Type.String(), Type.Null()]),
  title: Type.Union([Type.String(), Type.Null()], { description: "The product's title" }),
  variantTitle: Type.Union([Type.String(), Type.Null()]),
  available: Type.Integer({ description: 'Sellable units over active locations' }),
  lowStockThreshold: Type.Integer(),
  locations: Type.Array(
    Type.Object({ locationId: Type.String(), code: Type.String(), name: Type.String(), available: Type.Integer() }),
  ),
});

const ActivityLine = Type.Object({
  id: Type.String({ description: 'The event id' }),
  type: Type.String({ description: 'The event type (`order.placed`, `inventory.adjusted`…)' }),
  at: Type.String({ format: 'date-time' }),
  sequence: Type.String({ description: 'Commit-order position of the event' }),
  description: Type.String({
    description: 'One line in English, e.g. "Order #1042 placed by ada@example.com — €34.90"',
  }),
  resource: Type.Object({
    type: Type.Union([
      Type.Literal('order'),
      Type.Literal('product'),
      Type.Literal('inventoryItem'),
      Type.Literal('customer'),
    ]),
    id: Type.String(),
    path: Type.String({ description: 'Where the resource is in the admin app, relative to `/admin`' }),
  }),
});

export const DashboardSchema = Type.Object({
  timeZone: Type.String({ description: '`SHOP_TIMEZONE`: where today and yesterday begin' }),
  today: Type.String({ format: 'date' }),
  yesterday: Type.String({ format: 'date' }),
  generatedAt: Type.String({ format: 'date-time' }),
  sales: Type.Array(
    Type.Object({
      currency: Type.String(),
      today: Day,
      yesterday: Day,
      yesterdaySoFar: Type.Object(Day.properties, {
        description: 'Yesterday up to the same time of day as now, for a fair comparison with today so far',
      }),
    }),
    { description: "One row per currency: the shop's (its regions'), then any other one orders were placed in" },
  ),
  awaitingCapture: Type.Object(Backlog.properties, {
    description: 'Placed orders whose payment is authorized and not captured',
  }),
  awaitingFulfillment: Type.Object(Backlog.properties, {
    description: 'Placed orders, authorized or paid, with units not fulfilled yet',
  }),
  lowStock: Type.Optional(
    Type.Object(
      {
        total: Type.Integer({ description: 'How many tracked items are at or below their threshold' }),
        items: Type.Array(LowStockItem, { description: 'The emptiest 10' }),
      },
      { description: 'Only for members with `inventory:read`' },
    ),
  ),
  activity: Type.Array(ActivityLine, {
    description: 'The last 15 business events the member may see (each kind needs its read permission), newest first',
  }),
});
