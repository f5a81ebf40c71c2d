import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppError,
  BusinessRuleError,
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
} from '../../src/platform/errors.js';
import type { App } from '../../src/platform/http/types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createScratchTable, rowCount } from '../support/probes.js';

class ProbeQuotaExceededError extends AppError {
  constructor() {
    super(429, 'PROBE_QUOTA_EXCEEDED', 'Too many requests', { detail: 'Probe quota used up.' });
  }
}

const failures: Record<string, () => Error> = {
  'not-found': () => new NotFoundError('Widget', 'wid_1'),
  conflict: () => new ConflictError('WIDGET_LOCKED', 'The widget is locked.'),
  rule: () => new BusinessRuleError('OUT_OF_STOCK', 'Not enough stock.'),
  unavailable: () => new ServiceUnavailableError('GATEWAY_DOWN', 'The gateway is down.', 7),
  quota: () => new ProbeQuotaExceededError(),
  plain: () => new Error('kaboom: password=hunter2 in select * from secrets'),
  // What a third-party plugin throws: a plain error carrying an HTTP status.
  'plugin-limit': () => Object.assign(new Error('Rate limit exceeded'), { statusCode: 429 }),
};

let t: TestApp;

const probes: FastifyPluginAsync = async (instance) => {
  const app = instance as App;
  app.post(
    '/probe/accounts',
    {
      schema: {
        body: Type.Object(
          { email: Type.String({ format: 'email' }), name: Type.String({ minLength: 1 }) },
          { additionalProperties: false },
        ),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }),
        response: { 201: Type.Object({ id: Type.String(), name: Type.String() }) },
      },
    },
    async (request, reply) => {
      const id = `acc_${request.body.email}`;
      await sql`insert into probe_account (id, name) values (${id}, ${request.body.name})`.execute(t.db.db);
      return reply.code(201).send({ id, name: request.body.name });
    },
  );
  app.get(
    '/probe/accounts/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String({ pattern: '^acc_' }) }),
        response: { 200: Type.Object({ id: Type.String() }) },
      },
    },
    async (request) => ({ id: request.params.id }),
  );
  app.get(
    '/probe/fail/:kind',
    { schema: { params: Type.Object({ kind: Type.String() }), response: { 200: Type.Object({}) } } },
    async (request) => {
      if (request.params.kind === 'sql') await sql`select * from no_such_table_xyz`.execute(t.db.db);
      throw (failures[request.params.kind] ?? failures.plain!)();
    },
  );
};

beforeAll(async () => {
  t = await createTestApp({ plugins: [probes] });
  await createScratchTable(t.db.db, 'probe_account');
});
afterAll(() => t.close());

/** Asserts the RFC 9457 shape every error shares and returns the parsed body. */
function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String) });
  expect(body.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  expect(body.type).toBe(`https://backroom.dev/problems/${String(body.code).toLowerCase().replace(/_/g, '-')}`);
  expect(body.requestId).toBe(res.headers['x-request-id']);
  return body;
}

describe('problem+json errors', () => {
  it('answers an unknown route with 404 ROUTE_NOT_FOUND', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/nothing-here?x=1' });
    expect(expectProblem(res, 404)).toMatchObject({
      code: 'ROUTE_NOT_FOUND',
      detail: 'No route GET /v1/nothing-here.',
    });
  });

  it('names every invalid body field: missing, unknown and malformed, and writes nothing', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/probe/accounts',
      payload: { email: 'not-an-email', role: 'admin' },
    });
    const body = expectProblem(res, 400);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: '/body/name', message: 'is required' },
        { path: '/body/role', message: 'is not a known field' },
        { path: '/body/email', message: expect.stringContaining('email') },
      ]),
    );
    expect(await rowCount(t.db.db, 'probe_account')).toBe(0);
  });

  it('points query and path parameter failures at /query and /params', async () => {
    const query = await t.app.inject({
      method: 'POST',
      url: '/probe/accounts?limit=500',
      payload: { email: 'a@example.com', name: 'A' },
    });
    expect(expectProblem(query, 400).errors).toEqual([{ path: '/query/limit', message: 'must be <= 100' }]);
    const params = await t.app.inject({ method: 'GET', url: '/probe/accounts/usr_1' });
    expect(expectProblem(params, 400).errors).toEqual([{ path: '/params/id', message: expect.any(String) }]);
    expect(await rowCount(t.db.db, 'probe_account')).toBe(0);
  });

  it('answers malformed JSON with 400 MALFORMED_JSON and writes nothing', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/probe/accounts',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": "a@example.com", ',
    });
    expect(expectProblem(res, 400).code).toBe('MALFORMED_JSON');
    expect(await rowCount(t.db.db, 'probe_account')).toBe(0);
  });

  it('answers a body that is not JSON with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/probe/accounts',
        headers: { 'content-type': type },
        payload: 'email=a@example.com',
      });
      expect(expectProblem(res, 415).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await rowCount(t.db.db, 'probe_account')).toBe(0);
  });

  it('answers a malformed URL with 400 BAD_REQUEST, still as a problem', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/probe/accounts/%zz' });
    expect(expectProblem(res, 400).code).toBe('BAD_REQUEST');
  });

  it.each([
    ['not-found', 404, 'NOT_FOUND'],
    ['conflict', 409, 'WIDGET_LOCKED'],
    ['rule', 422, 'OUT_OF_STOCK'],
    ['quota', 429, 'PROBE_QUOTA_EXCEEDED'],
    ['plugin-limit', 429, 'TOO_MANY_REQUESTS'],
    ['unavailable', 503, 'GATEWAY_DOWN'],
  ])('maps a thrown %s error to its own status and code', async (kind, status, code) => {
    const res = await t.app.inject({ method: 'GET', url: `/probe/fail/${kind}` });
    expect(expectProblem(res, status).code).toBe(code);
    if (kind === 'unavailable') expect(res.headers['retry-after']).toBe('7');
  });

  it('turns a unique violation from a real insert into 409 UNIQUE_VIOLATION, keeping one row', async () => {
    const payload = { email: 'dup@example.com', name: 'Dup' };
    const first = await t.app.inject({ method: 'POST', url: '/probe/accounts', payload });
    expect(first.statusCode).toBe(201);
    const second = await t.app.inject({ method: 'POST', url: '/probe/accounts', payload });
    expect(expectProblem(second, 409).code).toBe('UNIQUE_VIOLATION');
    expect(second.body).not.toMatch(/insert|duplicate key/i);
    expect(await rowCount(t.db.db, 'probe_account')).toBe(1);
  });

  it('answers an unexpected failure with a bare 500 INTERNAL_ERROR and logs its stack at error level', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/probe/fail/plain', headers: { 'x-request-id': 'boom-1' } });
    const body = expectProblem(res, 500);
    expect(body.code).toBe('INTERNAL_ERROR');
    expect(res.body).not.toMatch(/kaboom|hunter2|select|stack|at .*\.ts/);
    const logged = t.logs.lines.find((l) => l.requestId === 'boom-1' && l.level === 50);
    expect(logged?.err).toMatchObject({
      message: expect.stringContaining('kaboom'),
      stack: expect.stringContaining('Error'),
    });
  });

  it('hides the SQL of a failed statement from the caller', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/probe/fail/sql' });
    expect(expectProblem(res, 500).code).toBe('INTERNAL_ERROR');
    expect(res.body).not.toMatch(/no_such_table_xyz|select/i);
  });
});
