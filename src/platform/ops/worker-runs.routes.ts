import { Type } from 'typebox';
import type { Db } from '../db/database.js';
import type { App } from '../http/types.js';
import './worker-runs.tables.js';

/** A loop is late when its last round ended this many intervals ago (and at least a minute ago). */
const LATE_AFTER_INTERVALS = 3;
const LATE_AT_LEAST_MS = 60_000;

const WorkerRunView = Type.Object({
  name: Type.String({ description: 'The loop: outbox-relay, webhook-delivery, webhook-inbox, hold-expiry …' }),
  node: Type.String({ description: 'The process that ran it (`host:pid`).' }),
  intervalMs: Type.Integer({ description: 'How often the loop is meant to run.' }),
  startedAt: Type.String({ format: 'date-time', description: 'When its last recorded round started.' }),
  finishedAt: Type.String({ format: 'date-time' }),
  durationMs: Type.Integer(),
  lastOkAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()], {
    description: "The last failed round's error (kept after recovery).",
  }),
  lastErrorAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  rounds: Type.Integer({ description: 'Rounds recorded since the process started.' }),
  failures: Type.Integer(),
  state: Type.Union([Type.Literal('ok'), Type.Literal('failing'), Type.Literal('late')], {
    description:
      '`failing`: the last round failed. `late`: no round for three intervals (at least a minute) — the loop is stuck or its process is gone.',
  }),
});

/**
 * `GET /v1/admin/system/workers`: each background loop's last round per process (written by the loops through
 * `workerRuns`), for the System page.
 */
export async function workerRunRoutes(app: App, deps: { db: Db }) {
  app.get(
    '/v1/admin/system/workers',
    {
      config: { auth: { permission: 'events:read' } },
      schema: {
        tags: ['operations'],
        summary:
          "The workers' last runs: each background loop per process, when it last ran and succeeded, its last error",
        response: { 200: Type.Object({ now: Type.String({ format: 'date-time' }), data: Type.Array(WorkerRunView) }) },
      },
    },
    async () => {
      const rows = await deps.db
        .selectFrom('worker_run')
        .selectAll()
        .orderBy('name')
        .orderBy('node')
        .limit(500)
        .execute();
      const now = Date.now();
      return {
        now: new Date(now).toISOString(),
        data: rows.map((r) => {
          const finished = new Date(r.finished_at);
          const late = now - finished.getTime() > Math.max(LATE_AFTER_INTERVALS * r.interval_ms, LATE_AT_LEAST_MS);
          const failing = r.last_error_at !== null && (r.last_ok_at === null || r.last_error_at > r.last_ok_at);
          return {
            name: r.name,
            node: r.node,
            intervalMs: r.interval_ms,
            startedAt: new Date(r.started_at).toISOString(),
            finishedAt: finished.toISOString(),
            durationMs: r.duration_ms,
            lastOkAt: r.last_ok_at ? new Date(r.last_ok_at).toISOString() : null,
            lastError: r.last_error,
            lastErrorAt: r.last_error_at ? new Date(r.last_error_at).toISOString() : null,
            rounds: Number(r.rounds),
            failures: Number(r.failures),
            state: late ? ('late' as const) : failing ? ('failing' as const) : ('ok' as const),
          };
        }),
      };
    },
  );
}
