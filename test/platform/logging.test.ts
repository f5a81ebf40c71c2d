import { request } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/platform/http/types.js';
import { loggerOptions } from '../../src/platform/logger.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;

const probes: FastifyPluginAsync = async (instance) => {
  const app = instance as App;
  const ok = { 200: Type.Object({ ok: Type.Boolean() }) };
  app.post('/probe/log', { schema: { body: Type.Object({ n: Type.Integer() }), response: ok } }, async (request) => {
    request.log.info('via the request logger');
    await sql`select 1`.execute(t.db.db);
    // What a command holding `deps.logger` writes: not the request's logger, same request id.
    app.log.info('via the root logger');
    app.log.child({ module: 'probe' }).warn('via a module logger');
    return { ok: true };
  });
  app.post('/probe/secrets', { schema: { response: ok } }, async (request) => {
    request.log.info({ password: 'hunter2', token: 'tok-abc' }, 'login attempt');
    request.log.info({ user: { email: 'a@example.com', password: 'hunter2', accessToken: 'tok-abc' } }, 'nested');
    request.log.info({ headers: request.headers }, 'headers');
    request.log.info({ req: { headers: request.headers } }, 'request');
    return { ok: true };
  });
};

beforeAll(async () => {
  t = await createTestApp({ plugins: [probes] });
});
afterAll(() => t.close());

/** The log lines written while `fn` ran. */
async function linesDuring(fn: () => Promise<unknown>) {
  const from = t.logs.lines.length;
  const rawFrom = t.logs.raw.length;
  await fn();
  return { lines: t.logs.lines.slice(from), raw: t.logs.raw.slice(rawFrom) };
}

describe('request id in logs', () => {
  it('puts requestId on every line written while handling a request, whatever logger wrote it', async () => {
    const { lines, raw } = await linesDuring(async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/probe/log',
        headers: { 'x-request-id': 'trace-log-1' },
        payload: { n: 1 },
      });
      expect(res.statusCode).toBe(200);
    });
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'incoming request',
        'via the request logger',
        'via the root logger',
        'via a module logger',
        'request completed',
      ]),
    );
    for (const line of lines) expect(line, String(line.msg)).toMatchObject({ requestId: 'trace-log-1' });
    // Written once per line, not by both the request binding and the context.
    for (const line of raw) expect(line.match(/"requestId"/g)).toHaveLength(1);
  });

  it('keeps the request id when the body arrives after the headers on a real socket', async () => {
    const address = new URL(await t.app.listen({ port: 0, host: '127.0.0.1' }));
    const { lines } = await linesDuring(async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: address.hostname,
            port: address.port,
            method: 'POST',
            path: '/probe/log',
            headers: { 'content-type': 'application/json', 'x-request-id': 'trace-log-2', 'content-length': 7 },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.flushHeaders();
        // The body arrives later, from the socket: the request context must survive that hop.
        setTimeout(() => req.end('{"n":2}'), 50);
      });
      expect(status).toBe(200);
      // onResponse (the "request completed" line) may run just after the client has its answer.
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(lines.find((l) => l.msg === 'via the root logger')).toMatchObject({ requestId: 'trace-log-2' });
    expect(lines.every((l) => l.requestId === 'trace-log-2')).toBe(true);
  });

  it('adds no requestId to lines written outside a request', async () => {
    const { lines } = await linesDuring(async () => t.app.log.info('between requests'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toHaveProperty('requestId');
  });
});

describe('redaction', () => {
  it('never writes credentials, cookies, passwords or tokens', async () => {
    const { raw } = await linesDuring(async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/probe/secrets',
        headers: { authorization: 'Bearer secret-token-123', cookie: 'sid=abc' },
      });
      expect(res.statusCode).toBe(200);
    });
    const text = raw.join('\n');
    expect(text).toContain('login attempt');
    expect(text).toContain('[redacted]');
    expect(text).toContain('a@example.com');
    for (const secret of ['secret-token-123', 'sid=abc', 'hunter2', 'tok-abc']) expect(text).not.toContain(secret);
    expect(t.logs.raw.join('\n')).not.toContain('secret-token-123');
  });
});

describe('loggerOptions', () => {
  const isTTY = process.stdout.isTTY;
  afterEach(() => {
    process.stdout.isTTY = isTTY;
  });

  it('uses the pino-pretty transport for LOG_FORMAT=pretty', () => {
    expect(loggerOptions({ level: 'info', format: 'pretty' }).transport).toMatchObject({ target: 'pino-pretty' });
  });

  it('writes plain JSON for LOG_FORMAT=json, even in a terminal', () => {
    process.stdout.isTTY = true;
    expect(loggerOptions({ level: 'info', format: 'json' }).transport).toBeUndefined();
  });

  it('picks pretty in a terminal and JSON otherwise for LOG_FORMAT=auto', () => {
    process.stdout.isTTY = true;
    expect(loggerOptions({ level: 'debug', format: 'auto' }).transport).toMatchObject({ target: 'pino-pretty' });
    process.stdout.isTTY = false;
    expect(loggerOptions({ level: 'debug', format: 'auto' }).transport).toBeUndefined();
  });

  it('redacts in every format and keeps the level', () => {
    for (const format of ['json', 'pretty'] as const) {
      const opts = loggerOptions({ level: 'warn', format });
      expect(opts.level).toBe('warn');
      expect(opts.redact).toMatchObject({ paths: expect.arrayContaining(['req.headers.authorization', 'password']) });
    }
  });
});
