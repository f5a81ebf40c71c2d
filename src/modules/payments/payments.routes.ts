import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { SecretBox } from '../../platform/crypto/secret-box.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import type { App } from '../../platform/http/types.js';
import { listDisputes } from './disputes.service.js';
import {
  deleteGatewaySettings,
  type GatewayEnv,
  type GatewayId,
  gatewayFields,
  gatewayIds,
  refreshGateways,
  saveGateway,
} from './gateways.service.js';
import type { PaymentsDeps } from './payments.deps.js';
import { WebhookApiVersionError } from './payments.errors.js';
import { listWebhookEvents, receiveWebhook } from './webhooks.service.js';

export interface PaymentRoutesDeps extends PaymentsDeps {
  secretBox?: SecretBox | undefined;
  gatewayEnv: GatewayEnv;
  /** Called after a webhook is stored, so a worker in this process applies it without waiting for its timer. */
  onWebhookStored?: (() => void) | undefined;
}

/** Gateway webhooks carry no token of ours: their proof is the signature, checked over the exact bytes received. */
const WEBHOOK_BODY_LIMIT = 512 * 1024;

const GatewayView = Type.Object({
  provider: Type.String(),
  active: Type.Boolean({ description: 'offered by this server now (complete and enabled)' }),
  enabled: Type.Boolean(),
  source: Type.String({ description: 'database (set here), environment, or none' }),
  settings: Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()])),
  secrets: Type.Record(Type.String(), Type.Boolean(), { description: 'whether each secret is set; never the value' }),
  webhookPath: Type.String({ description: 'register this path (on your public URL) with the gateway' }),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
});

const Provider = Type.Object(
  { provider: Type.Union(gatewayIds.map((id) => Type.Literal(id))) },
  { additionalProperties: false },
);
const Values = Type.Record(
  Type.String({ pattern: '^[a-zA-Z]{1,40}$' }),
  Type.Union([Type.String({ minLength: 1, maxLength: 500 }), Type.Null()]),
  { maxProperties: 10 },
);

export async function paymentRoutes(app: App, deps: PaymentRoutesDeps): Promise<void> {
  await app.register(async (scope) => webhookRoute(scope as App, deps));
  const config = { auth: { permission: 'payments:manage' as const } };
  const tags = ['admin: payments'];
  const refresh = () =>
    refreshGateways({ db: deps.db, providers: deps.providers, secretBox: deps.secretBox, env: deps.gatewayEnv });

  app.get(
    '/v1/admin/payment-gateways',
    {
      config,
      schema: {
        tags,
        summary: 'Stripe and PayPal: whether each is active, its settings, and which secrets are set (never values)',
        response: { 200: Type.Object({ data: Type.Array(GatewayView) }) },
      },
    },
    async () => ({ data: await refresh() }),
  );

  app.put(
    '/v1/admin/payment-gateways/:provider',
    {
      config,
      schema: {
        tags,
        summary: 'Set a gateway’s settings and secrets (sealed with AES-256-GCM; null clears a value)',
        description:
          'Stripe: settings.publishableKey; secrets.secretKey, secrets.webhookSecret. PayPal: settings.clientId, ' +
          'settings.webhookId, settings.environment (sandbox|live); secrets.clientSecret. Values given here win ' +
          'over the environment. 503 SECRET_KEY_UNAVAILABLE when secrets cannot be sealed.',
        params: Provider,
        body: Type.Object(
          { enabled: Type.Optional(Type.Boolean()), settings: Type.Optional(Values), secrets: Type.Optional(Values) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: GatewayView },
      },
    },
    async (request) => {
      const id = request.params.provider as GatewayId;
      const allowed = gatewayFields(id);
      const errors = [
        ...unknownFields(request.body.settings, allowed.settings, '/body/settings'),
        ...unknownFields(request.body.secrets, allowed.secrets, '/body/secrets'),
      ];
      const env = request.body.settings?.environment;
      if (id === 'paypal' && env && env !== 'sandbox' && env !== 'live') {
        errors.push({ path: '/body/settings/environment', message: 'must be sandbox or live' });
      }
      if (errors.length > 0) throw new ValidationError(errors);
      await saveGateway(deps.db, deps.secretBox, requestAuditContext(request), id, request.body);
      const views = await refresh();
      return views.find((v) => v.provider === id);
    },
  );

  app.delete(
    '/v1/admin/payment-gateways/:provider',
    {
      config,
      schema: {
        tags,
        summary: 'Forget the stored settings of a gateway (the environment’s apply again)',
        params: Provider,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteGatewaySettings(deps.db, requestAuditContext(request), request.params.provider as GatewayId);
      await refresh();
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/admin/payments/webhook-events',
    {
      config,
      schema: {
        tags,
        summary: 'The webhook inbox, newest first: what each gateway event did (applied, duplicate, ignored …)',
        querystring: Type.Object(
          {
            provider: Type.Optional(Type.String({ maxLength: 40 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                provider: Type.String(),
                eventId: Type.String(),
                type: Type.String(),
                providerType: Type.String(),
                paymentId: Type.Union([Type.String(), Type.Null()]),
                status: Type.String(),
                result: Type.Union([Type.String(), Type.Null()]),
                attempts: Type.Integer(),
                lastError: Type.Union([Type.String(), Type.Null()]),
                receivedAt: Type.String(),
                processedAt: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const rows = await listWebhookEvents(deps, request.query);
      return {
        data: rows.map((r) => ({
          provider: r.provider,
          eventId: r.event_id,
          type: r.type,
          providerType: r.provider_type,
          paymentId: r.payment_id,
          status: r.status,
          result: r.result,
          attempts: r.attempts,
          lastError: r.last_error,
          receivedAt: new Date(r.received_at).toISOString(),
          processedAt: r.processed_at ? new Date(r.processed_at).toISOString() : null,
        })),
      };
    },
  );

  app.get(
    '/v1/admin/disputes',
    {
      config,
      schema: {
        tags,
        summary: 'Disputes (chargebacks) reported by the gateways, newest opened first, with cursor paging',
        description:
          'status is the gateway’s own (Stripe: needs_response, under_review, won, lost …; PayPal: OPEN, RESOLVED …).',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            provider: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                provider: Type.String(),
                disputeId: Type.String(),
                paymentId: Type.String(),
                orderId: Type.Union([Type.String(), Type.Null()]),
                status: Type.String(),
                reason: Type.Union([Type.String(), Type.Null()]),
                amount: Type.Union([Type.Integer(), Type.Null()]),
                currency: Type.Union([Type.String(), Type.Null()]),
                openedAt: Type.String(),
                closedAt: Type.Union([Type.String(), Type.Null()]),
                updatedAt: Type.String(),
              }),
            ),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const { rows, nextCursor } = await listDisputes(deps, request.query);
      return {
        data: rows.map((r) => ({
          provider: r.provider,
          disputeId: r.dispute_id,
          paymentId: r.payment_id,
          orderId: r.order_id,
          status: r.status,
          reason: r.reason,
          amount: r.amount === null ? null : Number(r.amount),
          currency: r.currency,
          openedAt: new Date(r.opened_at).toISOString(),
          closedAt: r.closed_at ? new Date(r.closed_at).toISOString() : null,
          updatedAt: new Date(r.updated_at).toISOString(),
        })),
        nextCursor,
      };
    },
  );
}

/**
 * `POST /v1/webhooks/{provider}` in its own scope, where every body stays raw bytes: the signature is over exactly
 * what the gateway sent, and nothing is parsed before it is verified.
 */
async function webhookRoute(scope: App, deps: PaymentRoutesDeps): Promise<void> {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
  scope.post(
    '/v1/webhooks/:provider',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['gateway webhooks'],
        summary: 'Gateway webhooks (Stripe, PayPal): signature verified over the raw body, stored once per event id',
        description:
          '400 INVALID_WEBHOOK_SIGNATURE (nothing stored) for a missing, stale or wrong signature; 400 ' +
          'WEBHOOK_API_VERSION_MISMATCH (nothing stored, logged) for a Stripe event rendered in another API version ' +
          'than the server reads; 200 for a new or ' +
          'a replayed event (`duplicate: true`). Events are applied by the worker, in order, exactly once.',
        params: Type.Object({ provider: Type.String({ maxLength: 40 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }) },
      },
    },
    async (request) => {
      const { provider } = request.params;
      if (!deps.providers.has(provider) || provider === 'manual') throw new NotFoundError('Webhook endpoint', provider);
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const result = await receiveWebhook(deps, provider, body, request.headers).catch((error: unknown) => {
        // Every event would be refused until an operator fixes the endpoint's version: say so loudly, once per try.
        if (error instanceof WebhookApiVersionError) {
          request.log.warn(
            { provider, eventId: error.eventId, received: error.received, expected: error.expected },
            `${provider} webhook refused: API version ${error.received ?? 'unknown'}, expected ${error.expected}`,
          );
        }
        throw error;
      });
      if (result === 'stored') deps.onWebhookStored?.();
      return { received: true, duplicate: result === 'duplicate' };
    },
  );
}

function unknownFields(values: Record<string, string | null> | undefined, allowed: readonly string[], path: string) {
  return Object.keys(values ?? {})
    .filter((k) => !allowed.includes(k))
    .map((k) => ({ path: `${path}/${k}`, message: `unknown field; expected one of ${allowed.join(', ')}` }));
}
