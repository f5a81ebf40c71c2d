import { DeletedResource, dataRefSchema, payloadSchemas, resourceKinds, webhookEntries } from './event-catalogue.js';
import { PING_EVENT_TYPE } from './modules/webhooks/index.js';

/**
 * The event catalogue as OpenAPI 3.1 `webhooks` (one `post` per type, plus `ping`) and the resource schemas
 * they reference under `components.schemas`. The app hands this to the platform's `registerOpenApi`, which
 * imports no module; `/docs` shows it as its Webhooks section and openapi-typescript types it for the client.
 */

const headers = [
  {
    name: 'webhook-id',
    description:
      'The message id: the same for every attempt of one event to one endpoint (deduplicate on it). Standard Webhooks 1.0.',
  },
  {
    name: 'webhook-timestamp',
    description: 'Unix seconds when this attempt was signed; refuse old ones (replay protection).',
  },
  {
    name: 'webhook-signature',
    description:
      'Space-separated `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` with the endpoint secret (`whsec_…`, base64 after the prefix); during a secret rotation one signature per valid secret.',
  },
].map((h) => ({ in: 'header', required: true, schema: { type: 'string' }, ...h }));

const responses = {
  '2XX': { description: 'Received. Any 2xx ends the delivery.' },
  '410': { description: 'Gone: the endpoint is disabled and gets nothing more.' },
  default: {
    description:
      'Anything else (or a timeout, or a refused connection) is retried with exponential backoff and jitter over about three days.',
  },
};

function operation(type: string, description: string, data: Record<string, unknown>) {
  return {
    post: {
      operationId: `webhook_${type.replace(/\W/g, '_')}`,
      // The list in /docs shows the summary: the first sentence of the description says what happened.
      summary: description.split(/(?<=\.)\s/)[0] ?? type,
      description,
      tags: ['outbound webhooks'],
      parameters: headers,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['type', 'timestamp', 'sequence', 'data'],
              properties: {
                type: { type: 'string', const: type },
                timestamp: { type: 'string', format: 'date-time', description: 'When the event happened.' },
                sequence: {
                  type: 'integer',
                  minimum: 0,
                  description:
                    'Commit order of events (increasing, with gaps): for one resource, an update with a lower sequence than one already applied is stale. 0 for pings.',
                },
                data,
              },
            },
          },
        },
      },
      responses,
    },
  };
}

export function webhookOpenApi(): { webhooks: Record<string, unknown>; schemas: Record<string, unknown> } {
  const webhooks: Record<string, unknown> = {
    [PING_EVENT_TYPE]: operation(
      PING_EVENT_TYPE,
      'A test event sent by `POST /v1/admin/webhook-endpoints/{id}/test`, whatever the endpoint subscribes to.',
      {
        type: 'object',
        required: ['endpointId', 'message'],
        properties: { endpointId: { type: 'string' }, message: { type: 'string' } },
      },
    ),
  };
  for (const [type, entry] of webhookEntries) webhooks[type] = operation(type, entry.description, dataRefSchema(entry));
  const schemas: Record<string, unknown> = { DeletedResource };
  for (const kind of Object.values(resourceKinds)) schemas[kind.component] = kind.schema;
  for (const [component, schema] of payloadSchemas) schemas[component] = schema;
  return { webhooks, schemas };
}
