import { type Static, Type } from 'typebox';
import { IdCursor } from '../../platform/http/schemas.js';

/** Request and response schemas of the webhook delivery admin routes. */

const Status = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]);
const When = Type.String({ format: 'date-time' });

export const DeliveryListQuery = Type.Object(
  {
    endpointId: Type.Optional(IdCursor('webhookEndpoint')),
    eventId: Type.Optional(IdCursor('event')),
    eventType: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    status: Type.Optional(Status),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(IdCursor('webhookDelivery')),
  },
  { additionalProperties: false },
);
export type DeliveryListQuery = Static<typeof DeliveryListQuery>;

export const DeliveryView = Type.Object({
  id: Type.String(),
  endpointId: Type.String(),
  eventId: Type.String({ description: 'the `webhook-id` header: the same for every try' }),
  eventType: Type.String(),
  resourceId: Type.String({ description: 'the resource whose events reach this endpoint in order' }),
  sequence: Type.Integer({ description: "the body's `sequence` (commit order; 0 for pings)" }),
  status: Status,
  attempts: Type.Integer({ description: 'tries so far (redelivery keeps counting)' }),
  nextAttemptAt: Type.Union([Type.Null(), When], { description: 'when the next try is due (pending only)' }),
  lastStatusCode: Type.Union([Type.Null(), Type.Integer()]),
  lastError: Type.Union([Type.Null(), Type.String()]),
  createdAt: When,
  deliveredAt: Type.Union([Type.Null(), When]),
});
export type DeliveryViewT = Static<typeof DeliveryView>;

export const DeliveryDetail = Type.Object({
  ...DeliveryView.properties,
  body: Type.String({ description: 'the exact JSON body that is signed and sent' }),
  attemptLog: Type.Array(
    Type.Object({
      attempt: Type.Integer(),
      startedAt: When,
      durationMs: Type.Integer(),
      statusCode: Type.Union([Type.Null(), Type.Integer()]),
      responseExcerpt: Type.Union([Type.Null(), Type.String()], { description: 'the first 4 KB of the answer' }),
      error: Type.Union([Type.Null(), Type.String()]),
    }),
    { description: 'every try, oldest first' },
  ),
});
export type DeliveryDetailT = Static<typeof DeliveryDetail>;
