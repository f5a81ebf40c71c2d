import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/platform/http/types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestDb } from '../support/db.js';

/** Probe routes using every kind of request schema, so the document is built from real route schemas. */
const probes: FastifyPluginAsync = async (instance) => {
  const app = instance as App;
  const Thing = Type.Object({ id: Type.String(), name: Type.String(), tags: Type.Array(Type.String()) });
  app.post(
    '/probe/things/:thingId/notes',
    {
      schema: {
        summary: 'Probe: all request parts',
        params: Type.Object({ thingId: Type.String({ pattern: '^thing_' }) }),
        querystring: Type.Object({ dryRun: Type.Optional(Type.Boolean()) }),
        headers: Type.Object({ 'x-probe-trace': Type.Optional(Type.String()) }),
        body: Type.Object(
          {
            text: Type.String({ minLength: 1, maxLength: 500 }),
            amount: Type.Object({ amount: Type.Integer(), currency: Type.String({ pattern: '^[A-Z]{3}$' }) }),
            kind: Type.Union([Type.Literal('public'), Type.Literal('private')]),
            note: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), thing: Thing }) },
      },
    },
    async (request, reply) =>
      reply.code(201).send({ id: 'note_1', thing: { id: request.params.thingId, name: 'n', tags: [] } }),
  );
  app.get(
    '/probe/things',
    {
      schema: {
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
          cursor: Type.Optional(Type.String()),
        }),
        response: {
          200: Type.Object({ data: Type.Array(Thing), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
        },
      },
    },
    async () => ({ data: [], nextCursor: null }),
  );
};

/** Routes that are deliberately not in the API document, each for a stated reason. */
const HIDDEN = [
  'GET /metrics', // Prometheus text, not API
  'GET /openapi.json', // the document itself
  'OPTIONS *', // CORS preflight
];

/** Every (method, path) Fastify routes, read from its route tree (HEAD mirrors GET and is skipped). */
function registeredRoutes(app: App): { method: string; path: string }[] {
  const stack: string[] = [];
  const routes: { method: string; path: string }[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    for (const method of m[3]?.split(', ') ?? []) {
      if (method !== 'HEAD') routes.push({ method, path: stack.join('') });
    }
  }
  return routes;
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: Record<string, unknown> & { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  beforeAll(async () => {
    t = await createTestApp({ plugins: [probes] });
    doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  afterAll(() => t.close());

  it('is a valid OpenAPI 3.1 document, probe routes included', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/health/live', '/health/ready', '/probe/things', '/probe/things/{thingId}/notes']),
    );
  });

  it('describes params, query, headers, body and responses from the route schemas', () => {
    const op = doc.paths['/probe/things/{thingId}/notes']?.post as Record<string, unknown> & {
      parameters: { in: string; name: string }[];
      requestBody: { content: Record<string, { schema: { required: string[]; additionalProperties: boolean } }> };
      responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }>;
    };
    expect(op.parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual([
      'header:x-probe-trace',
      'path:thingId',
      'query:dryRun',
    ]);
    const body = op.requestBody.content['application/json']!.schema;
    expect(body.required).toEqual(['text', 'amount', 'kind']);
    expect(body.additionalProperties).toBe(false);
    expect(op.responses['201']!.content['application/json']!.schema).toMatchObject({ required: ['id', 'thing'] });
    expect(op.responses['4XX']!.content['application/problem+json']!.schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
  });

  it('documents the shared Problem schema', () => {
    const problem = (doc.components as { schemas: Record<string, { required: string[] }> }).schemas.Problem;
    expect(problem?.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code', 'requestId']));
  });

  it('gives every registered, non-hidden route a success response schema in the document', () => {
    const routes = registeredRoutes(t.app);
    expect(routes.length).toBeGreaterThan(5);
    const undocumented: string[] = [];
    for (const { method, path } of routes) {
      const name = `${method} ${path}`;
      // /docs and /admin are web pages (the reference and the admin app), not API routes.
      if (HIDDEN.includes(name) || path.startsWith('/docs') || path === '/admin' || path.startsWith('/admin/'))
        continue;
      const op = doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      const success = Object.entries(op?.responses ?? {}).find(([status]) => /^2/.test(status));
      // 204 No Content has no body, so nothing to describe.
      if (success?.[0] === '204') continue;
      const schema = (success?.[1] as { content?: Record<string, { schema?: unknown }> } | undefined)?.content;
      if (!schema || !Object.values(schema).every((c) => c.schema)) undocumented.push(name);
    }
    expect(undocumented).toEqual([]);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(HIDDEN));
  });

  it('serves the interactive reference at /docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('swagger-ui');
  });
});

describe('route registration', () => {
  it('refuses, at start-up, a documented route without a response schema', async () => {
    const db = await createTestDb();
    const careless: FastifyPluginAsync = async (app) => {
      app.post('/probe/careless', async () => ({ leaked: 'anything the handler returns' }));
    };
    try {
      await expect(createTestApp({ db, plugins: [careless] })).rejects.toThrow(
        'POST /probe/careless has no response schema',
      );
    } finally {
      await db.destroy();
    }
  });
});
