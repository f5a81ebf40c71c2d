import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { pino } from 'pino';
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedis, type RedisHandle } from '../../src/platform/redis.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createTestDb, type TestDb } from '../support/db.js';

const ping: FastifyPluginAsync = async (app) => {
  app.get(
    '/probe/ping',
    { schema: { hide: true, response: { 200: Type.Object({ ok: Type.Boolean() }) } } },
    async () => ({ ok: true }),
  );
};

describe('rate limits', () => {
  const apps: TestApp[] = [];
  const redises: RedisHandle[] = [];
  let shared: TestDb | undefined;
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
    for (const r of redises.splice(0)) await r.close();
    await shared?.destroy();
    shared = undefined;
  });

  const start = async (env: Record<string, string>, redis?: RedisHandle, db?: TestDb) => {
    const t = await createTestApp({ env, plugins: [ping], ...(redis ? { redis } : {}), ...(db ? { db } : {}) });
    apps.push(t);
    return t;
  };
  // A fresh credential per test keeps counters apart (they outlive a test in Redis).
  const caller = () => ({ authorization: `Bearer test-${randomUUID()}` });
  const get = (t: TestApp, headers: Record<string, string>, url = '/probe/ping') =>
    t.app.inject({ method: 'GET', url, headers });

  it('refuses the request past the limit with 429 RATE_LIMITED problem+json and Retry-After', async () => {
    const t = await start({ RATE_LIMIT_MAX: '3' });
    const who = caller();
    for (let i = 0; i < 3; i++) expect((await get(t, who)).statusCode).toBe(200);
    const res = await get(t, who);
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('gives each credential its own budget', async () => {
    const t = await start({ RATE_LIMIT_MAX: '2' });
    const a = caller();
    await get(t, a);
    await get(t, a);
    expect((await get(t, a)).statusCode).toBe(429);
    expect((await get(t, caller())).statusCode).toBe(200);
  });

  it('never limits health checks', async () => {
    const t = await start({ RATE_LIMIT_MAX: '1' });
    const who = caller();
    for (let i = 0; i < 5; i++) expect((await get(t, who, '/health/live')).statusCode).toBe(200);
  });

  it('keeps answering when the Redis store is unreachable', async () => {
    const redis = createRedis('redis://127.0.0.1:1', pino({ level: 'silent' }));
    redises.push(redis);
    const t = await start({ RATE_LIMIT_MAX: '2' }, redis);
    const who = caller();
    for (let i = 0; i < 4; i++) expect((await get(t, who)).statusCode).toBe(200);
  });

  it.skipIf(!process.env.REDIS_URL)('shares one budget across two nodes through Redis', async () => {
    shared = await createTestDb();
    const r1 = createRedis(process.env.REDIS_URL ?? '', pino({ level: 'silent' }));
    const r2 = createRedis(process.env.REDIS_URL ?? '', pino({ level: 'silent' }));
    redises.push(r1, r2);
    for (let i = 0; i < 100 && !(r1.isUp() && r2.isUp()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(r1.isUp() && r2.isUp()).toBe(true);
    const one = await start({ RATE_LIMIT_MAX: '3' }, r1, shared);
    const two = await start({ RATE_LIMIT_MAX: '3' }, r2, shared);
    const who = caller();
    expect((await get(one, who)).statusCode).toBe(200);
    expect((await get(two, who)).statusCode).toBe(200);
    expect((await get(one, who)).statusCode).toBe(200);
    expect((await get(two, who)).statusCode).toBe(429);
  });
});
