import { type Static, Type } from 'typebox';
import { Fulfillment } from './fulfillments.schemas.js';
import { ReturnView } from './returns.schemas.js';

/** Response shapes of the order routes (admin and customer). */

const Money = Type.Object({ amount: Type.Integer(), currency: Type.String() });
const Nullable = <T extends ReturnType<typeof Type.Unknown>>(t: T) => Type.Union([Type.Null(), t]);

export const OrderSummary = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  email: Type.String(),
  customerId: Type.Union([Type.Null(), Type.String()]),
  customerName: Type.Union([Type.Null(), Type.String()], {
    description: 'The billing name on the order, or the shipping name when billing is the same address',
  }),
  salesChannelId: Type.String(),
  status: Type.String(),
  paymentStatus: Type.String(),
  fulfillmentStatus: Type.String(),
  currency: Type.String(),
  total: Money,
  createdAt: Type.String({ format: 'date-time' }),
  placedAt: Type.Union([Type.Null(), Type.String({ format: 'date-time' })]),
});

const Line = Type.Object({
  id: Type.String(),
  variantId: Type.Union([Type.Null(), Type.String()]),
  productId: Type.Union([Type.Null(), Type.String()]),
  sku: Type.String(),
  title: Type.String(),
  variantTitle: Type.String(),
  quantity: Type.Integer(),
  unitPrice: Money,
  subtotal: Money,
  discount: Money,
  tax: Money,
  total: Money,
  taxLines: Type.Array(Type.Unknown()),
  fulfilledQuantity: Type.Integer(),
  shippedQuantity: Type.Integer(),
  returnedQuantity: Type.Integer(),
});

export const OrderDetail = Type.Object({
  ...OrderSummary.properties,
  regionId: Type.Union([Type.Null(), Type.String()]),
  subtotal: Money,
  discountTotal: Money,
  shippingTotal: Money,
  taxTotal: Money,
  shippingAddress: Nullable(Type.Unknown()),
  billingAddress: Nullable(Type.Unknown()),
  shippingMethod: Nullable(Type.Unknown()),
  promoCodes: Type.Array(Type.String()),
  version: Type.Integer(),
  cancelledAt: Type.Union([Type.Null(), Type.String({ format: 'date-time' })]),
  lines: Type.Array(Line),
  fulfillments: Type.Array(Fulfillment),
  returns: Type.Array(ReturnView),
  timeline: Type.Array(
    Type.Object({
      id: Type.String(),
      at: Type.String({ format: 'date-time' }),
      kind: Type.String(),
      actorType: Type.String(),
      actorId: Type.Union([Type.Null(), Type.String()]),
      data: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
});

export type OrderSummaryT = Static<typeof OrderSummary>;
export type OrderDetailT = Static<typeof OrderDetail>;
