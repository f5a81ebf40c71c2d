import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../src/platform/metrics.js';
import { createRedis, type RedisHandle } from '../../src/platform/redis.js';
import { createTestApp, LogCapture, type TestApp } from '../support/app.js';

const closedPort = 'redis://127.0.0.1:1';
const realRedis = process.env.REDIS_URL;

const gauge = async (metrics: Metrics) => (await metrics.redisUp.get()).values[0]?.value;
const errorsCounted = async (metrics: Metrics) => (await metrics.redisErrors.get()).values[0]?.value ?? 0;
const logged = (logs: LogCapture, msg: string) => logs.lines.filter((l) => l.msg === msg).length;

/**
 * A TCP proxy in front of the real Redis that can be taken down and brought back on the same
 * port: a Redis outage and recovery without touching the shared server.
 */
function outageProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  return {
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    start: () =>
      new Promise<void>((resolve) => {
        const listening = createServer((client) => {
          const upstream = connect(Number(target.port || 6379), target.hostname);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on('error', () => {});
            s.on('close', () => {
              client.destroy();
              upstream.destroy();
            });
          }
          client.pipe(upstream).pipe(client);
        });
        server = listening;
        listening.listen(port, '127.0.0.1', () => {
          port = (listening.address() as { port: number }).port;
          resolve();
        });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        server?.close(() => resolve());
      }),
  };
}

describe('createRedis', () => {
  const handles: RedisHandle[] = [];
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.close();
    for (const c of cleanup.splice(0)) await c();
  });
  const open = (url: string, logs: LogCapture, metrics: Metrics) => {
    const h = createRedis(url, logs.logger(), metrics);
    handles.push(h);
    return h;
  };

  it('survives an unreachable Redis: down, counted, logged once, and commands fail fast', async () => {
    const logs = new LogCapture();
    const metrics = createMetrics();
    const redis = open(closedPort, logs, metrics);
    // Several reconnect attempts fail (100 ms, 200 ms, 400 ms … apart).
    await expect.poll(() => errorsCounted(metrics), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(redis.isUp()).toBe(false);
    expect(await gauge(metrics)).toBe(0);
    expect(logged(logs, 'redis unavailable')).toBe(1);
    expect(logs.lines.find((l) => l.msg === 'redis unavailable')).toMatchObject({
      level: 50,
      component: 'redis',
      err: { code: 'ECONNREFUSED' },
    });

    const started = performance.now();
    await expect(redis.client.get('any')).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('stops reconnecting once closed', async () => {
    const metrics = createMetrics();
    const redis = open(closedPort, new LogCapture(), metrics);
    await expect.poll(() => errorsCounted(metrics), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await redis.close();
    const after = await errorsCounted(metrics);
    await new Promise((r) => setTimeout(r, 800));
    expect(await errorsCounted(metrics)).toBe(after);
  });

  it.skipIf(!realRedis)('is up with a reachable Redis and runs commands', async () => {
    const logs = new LogCapture();
    const metrics = createMetrics();
    const redis = open(realRedis!, logs, metrics);
    await expect.poll(() => redis.isUp()).toBe(true);
    expect(await gauge(metrics)).toBe(1);
    const key = `backroom:test:${process.pid}:${Date.now()}`;
    await redis.client.set(key, 'value', 'PX', 10_000);
    expect(await redis.client.get(key)).toBe('value');
    await redis.client.del(key);
    expect(logged(logs, 'redis unavailable')).toBe(0);
    await redis.close();
    expect(redis.isUp()).toBe(false);
  });

  it.skipIf(!realRedis)('logs each outage once and the recovery once, and reconnects by itself', async () => {
    const proxy = outageProxy(new URL(realRedis!));
    await proxy.start();
    cleanup.push(() => proxy.stop());
    const logs = new LogCapture();
    const metrics = createMetrics();
    const redis = open(proxy.url, logs, metrics);
    await expect.poll(() => redis.isUp()).toBe(true);

    for (const outage of [1, 2]) {
      await proxy.stop();
      await expect.poll(() => redis.isUp()).toBe(false);
      expect(await gauge(metrics)).toBe(0);
      // Let a few reconnect attempts fail; the outage is still logged once.
      await expect.poll(() => errorsCounted(metrics), { timeout: 10_000 }).toBeGreaterThanOrEqual(outage * 3);
      expect(logged(logs, 'redis unavailable')).toBe(outage);

      await proxy.start();
      await expect.poll(() => redis.isUp(), { timeout: 10_000 }).toBe(true);
      expect(await gauge(metrics)).toBe(1);
      expect(logged(logs, 'redis connection restored')).toBe(outage);
    }
  });
});

describe('readiness with Redis unreachable', () => {
  let redis: RedisHandle;
  let t: TestApp;
  beforeAll(async () => {
    redis = createRedis(closedPort, new LogCapture().logger(), createMetrics());
    t = await createTestApp({ redis });
  });
  afterAll(async () => {
    await t.close();
    await redis.close();
  });

  it('stays ready (200, degraded) and reports Redis down', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'degraded',
      checks: { database: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'down' } },
    });
  });
});

describe.skipIf(!realRedis)('readiness with Redis up', () => {
  let redis: RedisHandle;
  let t: TestApp;
  beforeAll(async () => {
    redis = createRedis(realRedis!, new LogCapture().logger(), createMetrics());
    t = await createTestApp({ redis });
  });
  afterAll(async () => {
    await t.close();
    await redis.close();
  });

  it('reports ok and Redis up', async () => {
    await expect.poll(() => redis.isUp()).toBe(true);
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', checks: { redis: { status: 'up' } } });
  });
});
