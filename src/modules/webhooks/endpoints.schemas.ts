import { type Static, Type } from 'typebox';

/** Request and response schemas of the webhook endpoint admin routes. */

export const MAX_URL_LENGTH = 2048;
export const MAX_OVERLAP_HOURS = 168;

const Url = Type.String({
  minLength: 1,
  maxLength: MAX_URL_LENGTH,
  description: '`https` URL of a public host (checked again before every delivery); no user name or password',
});
const Description = Type.String({ maxLength: 500 });
const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: 200,
  description: '`["*"]` for every event type, or a list of types from `GET /v1/admin/webhook-event-types`',
});
const Enabled = Type.Boolean();
const When = Type.String({ format: 'date-time' });
const MaybeWhen = Type.Union([Type.Null(), When]);

export const CreateEndpointBody = Type.Object(
  { url: Url, description: Type.Optional(Description), eventTypes: EventTypes, enabled: Type.Optional(Enabled) },
  { additionalProperties: false },
);
export type CreateEndpointInput = Static<typeof CreateEndpointBody>;

export const UpdateEndpointBody = Type.Object(
  {
    url: Type.Optional(Url),
    description: Type.Optional(Description),
    eventTypes: Type.Optional(EventTypes),
    enabled: Type.Optional(Enabled),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateEndpointInput = Static<typeof UpdateEndpointBody>;

/** Counts are cut off here, so a page of endpoints stays cheap whatever piles up behind a dead one. */
export const DELIVERY_COUNT_CAP = 1000;

export const EndpointView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  eventTypes: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.Null(), Type.Literal('manual'), Type.Literal('gone'), Type.Literal('failing')], {
    description: '`manual` (PATCH), `gone` (the endpoint answered 410), `failing` (no success for too long)',
  }),
  disabledAt: MaybeWhen,
  failingSince: MaybeWhen,
  lastSuccessAt: MaybeWhen,
  lastFailureAt: MaybeWhen,
  previousSecretExpiresAt: Type.Union([Type.Null(), When], {
    description: 'While a rotation overlap runs: until then deliveries are also signed with the previous secret',
  }),
  pendingDeliveries: Type.Integer({
    description: `deliveries waiting to be sent (counted up to ${DELIVERY_COUNT_CAP})`,
  }),
  failedDeliveries: Type.Integer({ description: `deliveries that gave up (counted up to ${DELIVERY_COUNT_CAP})` }),
  version: Type.Integer(),
  createdAt: When,
  updatedAt: When,
});
export type EndpointViewT = Static<typeof EndpointView>;

export const CreatedEndpoint = Type.Object({
  ...EndpointView.properties,
  secret: Type.String({ description: 'The signing secret (`whsec_…`): shown only now; store it' }),
});

export const RotateSecretBody = Type.Object(
  {
    overlapHours: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_OVERLAP_HOURS,
        description:
          'How long the retired secret keeps signing too (default WEBHOOK_SECRET_OVERLAP_HOURS); 0: not at all',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RotatedSecret = Type.Object({
  secret: Type.String({ description: 'The new signing secret: shown only now' }),
  previousSecretExpiresAt: Type.Union([Type.Null(), When]),
});

export const TestPingResult = Type.Object({
  eventId: Type.String({ description: 'the `webhook-id` the ping is sent with' }),
  deliveryId: Type.String(),
});

export const ReplayBody = Type.Object(
  { since: Type.String({ format: 'date-time', description: 'events that happened at or after this time' }) },
  { additionalProperties: false },
);

export const EventTypeList = Type.Object({
  data: Type.Array(Type.Object({ type: Type.String(), description: Type.String() })),
});
