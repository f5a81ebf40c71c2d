import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import { etagOf, expectedVersion } from '../../platform/http/if-match.js';
import { IdCursor } from '../../platform/http/schemas.js';
import type { App } from '../../platform/http/types.js';
import { PING_EVENT_TYPE } from './catalogue.js';
import { findEndpointView, listEndpointViews } from './endpoints.repository.js';
import {
  CreatedEndpoint,
  CreateEndpointBody,
  EndpointView,
  EventTypeList,
  ReplayBody,
  RotatedSecret,
  RotateSecretBody,
  TestPingResult,
  UpdateEndpointBody,
} from './endpoints.schemas.js';
import {
  createEndpoint,
  deleteEndpoint,
  replayEndpointAudited,
  rotateSecret,
  updateEndpoint,
} from './endpoints.service.js';
import { queueTestPing } from './ping.js';
import type { WebhooksDeps } from './webhooks.deps.js';
import { WebhookEndpointNotFoundError } from './webhooks.errors.js';

const tags = ['admin: webhooks'];
const config = { auth: { permission: 'webhooks:manage' } } as const;
// The answer holds a secret: it must not be stored in clear by the idempotency layer.
const secretConfig = { ...config, idempotency: false } as const;
const EndpointParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const IfMatch = Type.Object(
  { 'if-match': Type.Optional(Type.String({ description: 'the endpoint `version` you read' })) },
  { additionalProperties: true },
);

/** Webhook endpoints (`webhooks:manage`); every change is audited, secrets never are. */
export async function endpointRoutes(app: App, deps: WebhooksDeps) {
  const { db } = deps;

  app.get(
    '/v1/admin/webhook-event-types',
    {
      config,
      schema: {
        tags,
        summary: 'The event types an endpoint can subscribe to, plus `ping` (test events, always delivered)',
        response: { 200: EventTypeList },
      },
    },
    async () => ({
      data: [
        ...[...deps.catalogue.types].map(([type, t]) => ({ type, description: t.description })),
        { type: PING_EVENT_TYPE, description: 'A test event sent by POST /v1/admin/webhook-endpoints/{id}/test' },
      ],
    }),
  );

  app.get(
    '/v1/admin/webhook-endpoints',
    {
      config,
      schema: {
        tags,
        summary: 'Webhook endpoints, newest first',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(IdCursor('webhookEndpoint')),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ data: Type.Array(EndpointView), nextCursor: Type.Union([Type.Null(), Type.String()]) }),
        },
      },
    },
    async (request) => listEndpointViews(db, request.query),
  );

  app.get(
    '/v1/admin/webhook-endpoints/:id',
    {
      config,
      schema: {
        tags,
        summary: 'One webhook endpoint (never its secret)',
        params: EndpointParams,
        response: { 200: EndpointView },
      },
    },
    async (request, reply) => {
      const view = await findEndpointView(db, request.params.id);
      if (!view) throw new WebhookEndpointNotFoundError(request.params.id);
      reply.header('etag', etagOf(view.version));
      return view;
    },
  );

  app.post(
    '/v1/admin/webhook-endpoints',
    {
      config: secretConfig,
      schema: {
        tags,
        summary: 'Create a webhook endpoint; the answer carries its signing secret, shown only this once',
        description:
          'The URL must be `https` and its host must resolve only to public addresses (400 naming `url` otherwise). ' +
          '`eventTypes`: `["*"]` or known types (400 naming `eventTypes/<i>`); duplicates are dropped. ' +
          'Not idempotent-replayable (`Idempotency-Key` is ignored): the answer holds a secret that is not stored in clear.',
        body: CreateEndpointBody,
        response: { 201: CreatedEndpoint },
      },
    },
    async (request, reply) => {
      const created = await createEndpoint(deps, requestAuditContext(request), request.body);
      reply.header('location', `/v1/admin/webhook-endpoints/${created.id}`).header('etag', etagOf(created.version));
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/v1/admin/webhook-endpoints/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Change an endpoint: URL, description, event types, enabled',
        description:
          'Needs `If-Match: "<version>"` (428 without it, 412 `VERSION_MISMATCH` when stale). ' +
          '`enabled: false` disables it (reason `manual`); `enabled: true` re-enables an endpoint disabled for any reason.',
        params: EndpointParams,
        headers: IfMatch,
        body: UpdateEndpointBody,
        response: { 200: EndpointView },
      },
    },
    async (request, reply) => {
      const expected = expectedVersion(request.headers['if-match']);
      const view = await updateEndpoint(deps, requestAuditContext(request), request.params.id, expected, request.body);
      reply.header('etag', etagOf(view.version));
      return view;
    },
  );

  app.delete(
    '/v1/admin/webhook-endpoints/:id',
    {
      config,
      schema: {
        tags,
        summary: 'Delete an endpoint with its deliveries and their attempt log',
        description: 'With `If-Match`, only that version (412 when stale).',
        params: EndpointParams,
        headers: IfMatch,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const header = request.headers['if-match'];
      const expected = header === undefined ? undefined : expectedVersion(header);
      await deleteEndpoint(deps, requestAuditContext(request), request.params.id, expected);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/admin/webhook-endpoints/:id/rotate-secret',
    {
      config: secretConfig,
      // No body at all means the default overlap, the same as `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: 'Replace the signing secret; the new one is shown only in this answer',
        description:
          'The retired secret keeps signing (both signatures are sent) for `overlapHours` ' +
          '(default WEBHOOK_SECRET_OVERLAP_HOURS, 0–168; 0 retires it at once). Only one previous secret is kept: ' +
          'rotating again during an overlap drops the older one at once.',
        params: EndpointParams,
        body: RotateSecretBody,
        response: { 200: RotatedSecret },
      },
    },
    async (request) =>
      rotateSecret(
        deps,
        requestAuditContext(request),
        request.params.id,
        request.body.overlapHours ?? deps.settings.secretOverlapHours,
      ),
  );

  app.post(
    '/v1/admin/webhook-endpoints/:id/test',
    {
      config,
      schema: {
        tags,
        summary: 'Queue a `ping` event to this endpoint (sent by the workers like any event)',
        description: '409 `ENDPOINT_DISABLED` when the endpoint is disabled.',
        params: EndpointParams,
        response: { 202: TestPingResult },
      },
    },
    async (request, reply) => {
      const queued = await queueTestPing(deps, requestAuditContext(request), request.params.id);
      return reply.code(202).send(queued);
    },
  );

  app.post(
    '/v1/admin/webhook-endpoints/:id/replay',
    {
      config,
      schema: {
        tags,
        summary: 'Queue again every event since a time that this endpoint subscribes to (same `webhook-id`s)',
        description:
          'Reaches back as far as EVENT_RETENTION_DAYS keeps events (an older `since` replays what is kept; a future ' +
          'one queues nothing). Deliveries in flight are left to finish; a disabled endpoint gets the rest once it ' +
          'is enabled again. Answers with how many deliveries were queued.',
        params: EndpointParams,
        body: ReplayBody,
        response: { 202: Type.Object({ queued: Type.Integer() }) },
      },
    },
    async (request, reply) => {
      const since = new Date(request.body.since);
      const result = await replayEndpointAudited(deps, requestAuditContext(request), request.params.id, since);
      return reply.code(202).send(result);
    },
  );
}
