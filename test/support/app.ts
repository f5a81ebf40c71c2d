import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { pino } from 'pino';
import { type AppDeps, buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { migrations } from '../../src/migrations/index.js';
import { createSecretBox, type SecretBox } from '../../src/platform/crypto/secret-box.js';
import type { App } from '../../src/platform/http/types.js';
import { type Logger, loggerOptions } from '../../src/platform/logger.js';
import { createMetrics, type Metrics } from '../../src/platform/metrics.js';
import type { RedisHandle } from '../../src/platform/redis.js';
import { createTestDb, type TestDb } from './db.js';

/** Every log line the app wrote, parsed, so tests can assert on logs (request ids, redaction). */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.raw.push(line);
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  logger(level = 'info'): Logger {
    const opts = loggerOptions({ level, format: 'json' });
    return pino({ ...opts, level }, this.stream);
  }
}

export interface TestApp {
  app: App;
  db: TestDb;
  metrics: Metrics;
  config: Config;
  logs: LogCapture;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  plugins?: FastifyPluginAsync[];
  redis?: RedisHandle;
  /** Reuse a database (e.g. two app instances on one database). */
  db?: TestDb;
  /** Encrypts MFA secrets; default: a box with a random key. */
  secretBox?: SecretBox;
  /** Payment gateways (e.g. the scripted test gateway) and their deadline; default: manual only. */
  payments?: AppDeps['payments'];
}

export async function createTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ LOG_LEVEL: 'info', ...opts.env });
  const metrics = createMetrics();
  const logs = new LogCapture();
  const db = opts.db ?? (await createTestDb({ metrics }));
  const app = await buildApp(
    {
      config,
      logger: logs.logger(config.LOG_LEVEL),
      db: db.db,
      reads: db,
      metrics,
      migrations,
      redis: opts.redis,
      listen: (channel, onPayload) => db.listen(channel, onPayload),
      secretBox: opts.secretBox ?? createSecretBox(randomBytes(32)),
      payments: opts.payments,
    },
    opts.plugins ? { plugins: opts.plugins } : {},
  );
  await app.ready();
  return {
    app,
    db,
    metrics,
    config,
    logs,
    async close() {
      await app.close();
      if (!opts.db) await db.destroy();
    },
  };
}
