import { type Static, Type } from 'typebox';

/** Request and response shapes of the fulfilment routes (the response is also the order detail's `fulfillments`). */

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([Type.Null(), t]);

export const fulfillmentStates = ['created', 'shipped', 'delivered'] as const;

export const Fulfillment = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  locationId: Type.String(),
  status: Type.Union(fulfillmentStates.map((s) => Type.Literal(s))),
  carrier: Nullable(Type.String()),
  trackingNumber: Nullable(Type.String()),
  trackingUrl: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  shippedAt: Nullable(Type.String({ format: 'date-time' })),
  deliveredAt: Nullable(Type.String({ format: 'date-time' })),
  lines: Type.Array(
    Type.Object({
      lineId: Type.String(),
      variantId: Type.Union([Type.Null(), Type.String()]),
      sku: Type.String(),
      title: Type.String(),
      variantTitle: Type.String(),
      quantity: Type.Integer({ minimum: 1 }),
    }),
  ),
});
export type FulfillmentT = Static<typeof Fulfillment>;

const IdString = Type.String({ minLength: 1, maxLength: 100 });

export const FulfillmentParams = Type.Object(
  { id: IdString, fulfillmentId: IdString },
  { additionalProperties: false },
);

export const CreateFulfillmentBody = Type.Object(
  {
    lines: Type.Array(
      Type.Object(
        { lineId: IdString, quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
    locationId: Type.Optional(IdString),
  },
  { additionalProperties: false },
);
export type CreateFulfillmentBodyT = Static<typeof CreateFulfillmentBody>;

export const ShipFulfillmentBody = Type.Object(
  {
    carrier: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    trackingNumber: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
    trackingUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, pattern: '^https?://\\S+$' })),
    /** Send the customer the "your order has shipped" email (default true). */
    notifyCustomer: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
export type ShipFulfillmentBodyT = Static<typeof ShipFulfillmentBody>;
