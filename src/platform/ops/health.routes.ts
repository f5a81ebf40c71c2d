import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '../db/database.js';
import { type MigrationList, pendingMigrations } from '../db/migrate.js';
import type { ReplicaCheck } from '../db/replica.js';
import type { App } from '../http/types.js';
import type { RedisHandle } from '../redis.js';

export interface HealthDeps {
  db: Db;
  migrations: MigrationList;
  redis?: RedisHandle | undefined;
  /** A streaming replica's state (DATABASE_REPLICA_URL); absent or `disabled` without one. */
  checkReplica?: (() => Promise<ReplicaCheck>) | undefined;
}

const CheckSchema = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('disabled')]),
  latencyMs: Type.Optional(Type.Number()),
  detail: Type.Optional(Type.String()),
  pending: Type.Optional(Type.Array(Type.String())),
  lagBytes: Type.Optional(Type.Number({ description: 'replica: WAL bytes not yet replayed' })),
});

const ReadySchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')]),
  checks: Type.Object({
    database: CheckSchema,
    migrations: CheckSchema,
    redis: CheckSchema,
    replica: Type.Optional(CheckSchema),
  }),
});

type Check = {
  status: 'up' | 'down' | 'disabled';
  latencyMs?: number;
  detail?: string;
  pending?: string[];
  lagBytes?: number;
};

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);
}

// The probe is public: driver messages (host names, database names) go to the log, not the body.
async function checkDatabase(
  deps: HealthDeps,
  log: FastifyBaseLogger,
): Promise<{ database: Check; migrations: Check }> {
  const t0 = performance.now();
  try {
    await withTimeout(sql`select 1`.execute(deps.db), 2000);
  } catch (err) {
    log.warn({ err }, 'readiness: database unreachable');
    return {
      database: { status: 'down', detail: 'database unreachable' },
      migrations: { status: 'down', detail: 'database unreachable' },
    };
  }
  const database: Check = { status: 'up', latencyMs: Math.round((performance.now() - t0) * 10) / 10 };
  try {
    const pending = await withTimeout(pendingMigrations(deps.db, deps.migrations), 2000);
    return {
      database,
      migrations: pending.length === 0 ? { status: 'up' } : { status: 'down', detail: 'migrations pending', pending },
    };
  } catch (err) {
    log.warn({ err }, 'readiness: could not read migration state');
    return { database, migrations: { status: 'down', detail: 'could not read migration state' } };
  }
}

/** Reported only when a replica is configured. */
async function checkReplica(deps: HealthDeps, log: FastifyBaseLogger): Promise<Check | undefined> {
  if (!deps.checkReplica) return undefined;
  const r = await withTimeout(deps.checkReplica(), 2000).catch((err: unknown): Check => {
    log.warn({ err }, 'readiness: replica check failed');
    return { status: 'down', detail: 'replica unreachable; reads use the primary' };
  });
  return r.status === 'disabled' ? undefined : r;
}

function checkRedis(redis: RedisHandle | undefined): Check {
  if (!redis) return { status: 'disabled' };
  return redis.isUp() ? { status: 'up' } : { status: 'down', detail: 'redis unreachable; using local fallbacks' };
}

/**
 * Liveness says the process can answer; readiness says it can do useful work: the database
 * answers and its schema is current. Redis is optional, so its outage degrades (200) rather than
 * failing readiness, which would pull every node out of the load balancer at once.
 */
export async function healthRoutes(app: App, deps: HealthDeps) {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: database reachable and migrations current (503 otherwise)',
        response: { 200: ReadySchema, 503: ReadySchema },
      },
    },
    async (request, reply) => {
      const { database, migrations } = await checkDatabase(deps, request.log);
      const redis = checkRedis(deps.redis);
      const replica = await checkReplica(deps, request.log);
      const ready = database.status === 'up' && migrations.status === 'up';
      // A replica outage degrades like Redis's: its reads fall back to the primary, so the node still serves.
      const degraded = redis.status === 'down' || replica?.status === 'down';
      const status = !ready ? 'unavailable' : degraded ? 'degraded' : 'ok';
      reply.header('cache-control', 'no-store');
      return reply
        .code(ready ? 200 : 503)
        .send({ status, checks: { database, migrations, redis, ...(replica ? { replica } : {}) } });
    },
  );
}
