import { type Static, Type } from 'typebox';
import { MoneyAmount } from '../../platform/http/schemas.js';
import { returnReasons, returnStatuses } from './returns.tables.js';

/** Request and response shapes of the return and refund routes. */

/** One of `values`, typed as their union (a plain JSON Schema `enum`). */
const oneOf = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
export const oneOfStatus = () => oneOf(returnStatuses);
const Money = Type.Object({ amount: Type.Integer(), currency: Type.String() });
const Instant = Type.Union([Type.Null(), Type.String({ format: 'date-time' })]);
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });
const Ident = Type.String({ minLength: 1, maxLength: 100 });

export const ReturnView = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  status: oneOf(returnStatuses),
  requestedBy: Type.Object({ type: Type.String(), id: Type.Union([Type.Null(), Type.String()]) }),
  note: Type.Union([Type.Null(), Type.String()]),
  rejectionReason: Type.Union([Type.Null(), Type.String()]),
  refundedAmount: Money,
  createdAt: Type.String({ format: 'date-time' }),
  approvedAt: Instant,
  rejectedAt: Instant,
  receivedAt: Instant,
  lines: Type.Array(
    Type.Object({
      id: Type.String(),
      orderLineId: Type.String(),
      variantId: Type.Union([Type.Null(), Type.String()]),
      sku: Type.String(),
      title: Type.String(),
      quantity: Type.Integer(),
      reason: oneOf(returnReasons),
      note: Type.Union([Type.Null(), Type.String()]),
      receivedQuantity: Type.Integer(),
      restockedQuantity: Type.Integer(),
    }),
  ),
});
export type ReturnViewT = Static<typeof ReturnView>;

export const ReturnList = Type.Object({
  data: Type.Array(ReturnView),
  nextCursor: Type.Union([Type.Null(), Type.String()]),
});

export const CreateReturnBody = Type.Object(
  {
    lines: Type.Array(
      Type.Object(
        {
          orderLineId: Ident,
          quantity: Type.Integer({ minimum: 1, maximum: 100_000 }),
          reason: oneOf(returnReasons),
          note: Type.Optional(Text(1000)),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
    note: Type.Optional(Text(2000)),
  },
  { additionalProperties: false },
);
export type CreateReturnBodyT = Static<typeof CreateReturnBody>;

export const RejectReturnBody = Type.Object({ reason: Text(2000) }, { additionalProperties: false });

export const MoneyInput = Type.Object(
  {
    amount: MoneyAmount({ minimum: 1 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  },
  { additionalProperties: false },
);

export const ReceiveReturnBody = Type.Object(
  {
    lines: Type.Array(
      Type.Object(
        {
          returnLineId: Ident,
          quantity: Type.Integer({ minimum: 0, maximum: 100_000 }),
          restock: Type.Boolean(),
          locationId: Type.Optional(Ident),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
    refund: Type.Optional(
      Type.Object({ amount: MoneyInput, reason: Type.Optional(Text(2000)) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type ReceiveReturnBodyT = Static<typeof ReceiveReturnBody>;

export const RefundBody = Type.Object(
  { amount: MoneyInput, reason: Type.Optional(Text(2000)), returnId: Type.Optional(Ident) },
  { additionalProperties: false },
);

export const RefundResult = Type.Object({
  orderId: Type.String(),
  returnId: Type.Union([Type.Null(), Type.String()]),
  amount: Money,
  /** Where the money went: the order's payments, oldest first. */
  payments: Type.Array(Type.Object({ paymentId: Type.String(), amount: Money })),
  paymentStatus: Type.String(),
  /** What can still be refunded on the order. */
  refundable: Money,
});
export type RefundResultT = Static<typeof RefundResult>;

export const ReceiveResult = Type.Object({
  return: ReturnView,
  /** The refund asked for with `refund`, when it went through. */
  refund: Type.Union([Type.Null(), RefundResult]),
  /**
   * Set when the goods were received but the refund asked for with them was refused afterwards (e.g. a
   * concurrent refund took the money): the receipt stands; refund again with POST /v1/admin/orders/:id/refunds.
   */
  refundError: Type.Union([Type.Null(), Type.Object({ code: Type.String(), detail: Type.String() })]),
});
