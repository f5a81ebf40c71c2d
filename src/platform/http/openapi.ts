import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { PROBLEM_CONTENT_TYPE, ProblemSchema } from './problem.js';

const problemResponse = {
  description: 'Problem (RFC 9457)',
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: 'Problem#' } } },
};

/** A status key of a success (or redirect) response: `200`, `2xx`, `default`. */
const SUCCESS_STATUS = /^([123](\d\d|xx)|default)$/i;

/**
 * OpenAPI 3.1 at `/openapi.json`, interactive reference at `/docs`. Every route gets the shared
 * problem+json response for 4xx/5xx unless it declares its own, so the document shows the error
 * shape everywhere and Fastify serializes errors through one schema.
 *
 * A documented route without a success response schema is refused at start-up: its output would
 * be neither documented nor filtered through a serializer (which keeps unlisted fields out).
 * Routes that are not part of the API (`/metrics`) say `schema: { hide: true }`.
 *
 * `webhooks`: what the API sends rather than answers — the OpenAPI 3.1 top-level `webhooks` (one `post`
 * per event type) and the schemas they reference (`#/components/schemas/<name>`). The app builds them
 * from the event catalogue (the platform imports no module).
 */
export async function registerOpenApi(
  app: FastifyInstance,
  info: {
    version: string;
    webhooks?: { webhooks: Record<string, unknown>; schemas: Record<string, unknown> } | undefined;
  },
) {
  app.addSchema(ProblemSchema);

  app.addHook('onRoute', (route) => {
    if (route.schema?.hide || route.url.startsWith('/docs')) return;
    route.schema ??= {};
    route.schema.response ??= {};
    const response = route.schema.response as Record<string, unknown>;
    if (!Object.keys(response).some((status) => SUCCESS_STATUS.test(status))) {
      const method = [route.method].flat().join(',');
      throw new Error(`${method} ${route.url} has no response schema: declare schema.response (or hide the route)`);
    }
    response['4xx'] ??= problemResponse;
    response['5xx'] ??= problemResponse;
    // A mutation that opted out of Idempotency-Key (its answer is never stored, e.g. a secret shown once): a client
    // must not repeat it after a lost answer, or the work is done twice (@backroom/client reads this mark).
    if (route.config?.idempotency === false) (route.schema as Record<string, unknown>)['x-idempotent'] = false;
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Backroom API',
        version: info.version,
        description:
          'Headless commerce backend. Storefront routes live under `/v1/store`, staff routes under `/v1/admin`. ' +
          'Money is integer minor units plus an ISO 4217 code; errors are RFC 9457 problem+json with a stable `code`; ' +
          'mutating requests accept `Idempotency-Key` (scoped to the caller; an anonymous request that names no ' +
          'resource needs a random key of 128+ bits such as a UUID, else 400 `IDEMPOTENCY_KEY_TOO_WEAK`).',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      tags: [
        { name: 'operations', description: 'Health and monitoring' },
        { name: 'gateway webhooks', description: 'Inbound webhooks from the payment gateways (Stripe, PayPal)' },
        ...(info.webhooks
          ? [
              {
                name: 'outbound webhooks',
                description:
                  'Events Backroom sends to your endpoints (Standard Webhooks 1.0; manage them under admin: webhooks)',
              },
            ]
          : []),
      ],
      // Plain JSON built by the app from TypeBox schemas (the plugin types a union of three OpenAPI versions, which
      // no one value satisfies); test/platform/openapi.test.ts validates the document.
      ...(info.webhooks ? { webhooks: info.webhooks.webhooks as Record<string, never> } : {}),
      components: {
        ...(info.webhooks ? { schemas: info.webhooks.schemas as Record<string, never> } : {}),
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Session token or secret API key (`sk_…`).' },
          publishableKey: { type: 'apiKey', in: 'header', name: 'x-publishable-key' },
        },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // The server speaks plain HTTP by default (and on a LAN address): upgrading the page's own
    // asset requests to HTTPS would leave the reference blank.
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });
}
