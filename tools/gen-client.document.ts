import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { migrations } from '../src/migrations/index.js';
import { createSecretBox } from '../src/platform/crypto/secret-box.js';
import { createDb } from '../src/platform/db/create-db.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { createMetrics } from '../src/platform/metrics.js';

interface Parameter {
  required?: boolean;
  schema?: { default?: unknown };
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { required?: string[] } }> };
}
export type OpenApiDocument = Record<string, unknown> & {
  paths?: Record<string, Record<string, Operation | Parameter[]>>;
};

/**
 * What a caller may leave out, which the route schemas (and so /openapi.json) list as required:
 * - a query parameter with a default (`limit`, default 20): TypeBox's `Type.Integer({ default: 20 })` is a
 *   required property that the validator fills in;
 * - a request body none of whose fields is required (`POST …/complete`, `POST …/capture`): @fastify/swagger marks
 *   every declared body required, but these routes take no body (`request.body ??= {}`). A route without that line
 *   answers a missing body with 400, as it would to any other bad body.
 * Without this, every list call would have to pass `limit`, and `complete` an empty object.
 */
export function forCallers(document: OpenApiDocument): OpenApiDocument {
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item)) {
      if (Array.isArray(operation)) continue;
      for (const p of operation.parameters ?? []) if (p.required && p.schema?.default !== undefined) p.required = false;
      const body = operation.requestBody;
      const schemas = Object.values(body?.content ?? {}).map((media) => media.schema);
      if (body?.required && schemas.every((schema) => (schema?.required ?? []).length === 0)) body.required = false;
    }
  }
  return document;
}

/**
 * The API's OpenAPI document as `GET /openapi.json` serves it (but for `forCallers`), built in this process:
 * no server, no network. The app needs a database while it registers its routes (the gateway settings are read at start-up),
 * so it runs on an empty embedded database in memory, started from the image `npm install` built when there is
 * one (PGlite's initdb is slow on a busy machine).
 *
 * The configuration is the defaults, never this process's environment: the committed types must not depend on
 * who generated them.
 */
export async function buildOpenApiDocument(): Promise<OpenApiDocument> {
  const image = new URL('../dist/embedded-image.tar.gz', import.meta.url);
  const handle = await createDb({
    dataDir: 'memory://',
    poolMax: 1,
    lockTimeoutMs: 5000,
    statementTimeoutMs: 600_000,
    ...(existsSync(image) ? { loadDataDir: new Blob([readFileSync(image)]) } : {}),
  });
  try {
    await migrateToLatest(handle.db, migrations);
    const app = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'error' }),
      logger: pino({ level: 'silent' }),
      db: handle.db,
      reads: handle,
      metrics: createMetrics(),
      migrations,
      secretBox: createSecretBox(randomBytes(32)),
    });
    try {
      await app.ready();
      // A plain copy: openapi-typescript must not share objects with the live app.
      return forCallers(JSON.parse(JSON.stringify(app.swagger())) as OpenApiDocument);
    } finally {
      await app.close();
    }
  } finally {
    await handle.close();
  }
}
