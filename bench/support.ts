import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import postgres from 'postgres';

/** Shared bench plumbing: ports, child servers, load runs, throwaway PostgreSQL databases. */

export interface Result {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  note?: string;
  baseline?: Omit<Result, 'baseline'>;
}

export interface BenchContext {
  seconds: number;
  connections: number;
  /** postgres:// URL of a fresh database for this run, or undefined for the embedded database. */
  databaseUrl: string | undefined;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface Server {
  url: string;
  stop(): Promise<void>;
}

async function waitReady(child: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early with ${child.exitCode}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not become ready within 120 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The real server in its own process, so the load generator does not share its event loop. */
export async function startBackroom(
  ctx: BenchContext,
  env: Record<string, string> = {},
  args: string[] = ['bin/backroom.js', 'serve'],
): Promise<Server> {
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under load.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const dataDir = mkdtempSync(join(tmpdir(), 'backroom-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    env: {
      ...process.env,
      PORT: String(port),
      // Production-like: warn level, so per-request log lines do not dominate the measurement.
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      // The bench measures throughput, not the abuse limits.
      RATE_LIMIT_MAX: '1000000',
      BACKROOM_DATA_DIR: dataDir,
      ...(ctx.databaseUrl ? { DATABASE_URL: ctx.databaseUrl } : {}),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, `${url}/health/ready`);
  return {
    url,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A TypeScript file run as its own process (the bare baseline server). */
export async function startScript(script: string, env: Record<string, string>, readyPath: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, url + readyPath);
  return {
    url,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs autocannon; `paths` (when given) are picked at random for each request. */
export async function load(
  ctx: BenchContext,
  url: string,
  opts: {
    path?: string;
    paths?: readonly string[];
    connections?: number;
    method?: 'GET' | 'POST';
    body?: string;
    headers?: Record<string, string>;
    /** Per-request setup (a fresh body and signature per request, say); overrides `paths`. */
    requests?: autocannon.Request[];
    /** The status every answer must have (default: any 2xx); others count as errors. */
    expectStatus?: number;
  } = {},
): Promise<Result> {
  const paths = opts.paths;
  const r = await autocannon({
    url: url + (opts.path ?? paths?.[0] ?? '/'),
    connections: opts.connections ?? ctx.connections,
    duration: ctx.seconds,
    ...(opts.method ? { method: opts.method } : {}),
    ...(opts.body ? { body: opts.body } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.requests
      ? { requests: opts.requests }
      : paths
        ? {
            requests: [
              {
                setupRequest: (req: autocannon.Request) => {
                  req.path = paths[Math.floor(Math.random() * paths.length)] ?? '/';
                  return req;
                },
              },
            ],
          }
        : {}),
  });
  const answered = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  const unexpected =
    opts.expectStatus === undefined
      ? r.non2xx
      : answered - (r.statusCodeStats?.[String(opts.expectStatus) as '200']?.count ?? 0);
  return {
    opsPerSec: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: unexpected + r.errors + r.timeouts,
  };
}

/** A fresh database on the server at `base` (dropped by the returned function). */
export async function freshDatabase(base: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `backroom_bench_${Date.now().toString(36)}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists "${name}" with (force)`);
      await a.end();
    },
  };
}

/** A database handle for bench setup work (seeding, imports), migrated. */
export async function benchDb(url: string | undefined) {
  const { createDb } = await import('../src/platform/db/create-db.js');
  const { migrateToLatest } = await import('../src/platform/db/migrate.js');
  const { migrations } = await import('../src/migrations/index.js');
  const handle = await createDb({
    url,
    dataDir: 'memory://',
    poolMax: 4,
    lockTimeoutMs: 5000,
    statementTimeoutMs: 600_000,
  });
  await migrateToLatest(handle.db, migrations);
  return handle;
}

/** The flash-sale scenario's result: many buyers, few units, every `complete` at once. */
export interface FlashResult {
  buyers: number;
  units: number;
  orders: number;
  oversold: number;
  seconds: number;
  note?: string;
}

export interface HttpClient {
  /** One request (JSON body when given); resolves with any status. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }>;
  /** One request that must answer `status`; resolves with the parsed JSON body. */
  json<T = unknown>(method: string, path: string, body: unknown, status: number): Promise<T>;
  close(): void;
}

/** A keep-alive HTTP/1.1 client with at most `sockets` connections, for multi-request operations. */
export function httpClient(base: string, sockets: number): HttpClient {
  const u = new URL(base);
  const agent = new HttpAgent({ keepAlive: true, maxSockets: sockets });
  const send = (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest(
        {
          host: u.hostname,
          port: u.port,
          method,
          path,
          agent,
          headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  return {
    request: send,
    async json<T>(method: string, path: string, body: unknown, status: number): Promise<T> {
      const res = await send(method, path, body);
      if (res.status !== status) {
        throw new Error(
          `${method} ${path.replace(/\/carts\/[^/]+/, '/carts/{id}')} → ${res.status} ${res.text.slice(0, 200)}`,
        );
      }
      return JSON.parse(res.text) as T;
    },
    close: () => agent.destroy(),
  };
}

/**
 * Runs `op` in `ctx.connections` concurrent loops for `ctx.seconds`; an op is one multi-request operation (a
 * failed op counts as an error, not as an op). Latencies are per op.
 */
export async function runOps(
  ctx: BenchContext,
  op: () => Promise<unknown>,
): Promise<Result & { ops: number; firstError?: string }> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const end = t0 + ctx.seconds * 1000;
  await Promise.all(
    Array.from({ length: ctx.connections }, async () => {
      while (performance.now() < end && errors < 10_000) {
        const s = performance.now();
        try {
          await op();
          latencies.push(performance.now() - s);
        } catch (err) {
          errors++;
          firstError ??= err instanceof Error ? err.message : String(err);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
  return {
    opsPerSec: Math.round((latencies.length / seconds) * 10) / 10,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors,
    ops: latencies.length,
    ...(firstError ? { firstError } : {}),
  };
}

/** True when dist/ (what `startBackroom` runs) is missing or older than some file under src/. */
export function distIsStale(): boolean {
  const built = statOrNull('dist/main.js')?.mtimeMs;
  if (built === undefined) return true;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((e) => {
      const p = join(dir, e.name);
      return e.isDirectory() ? newer(p) : (statOrNull(p)?.mtimeMs ?? 0) > built;
    });
  return newer('src');
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Like `startBackroom`, but runs the current source through tsx (`npm run dev`'s entry) — for a checkout whose
 * dist/ is stale (e.g. while others edit src/ and nobody has rebuilt). Same settings, same server otherwise.
 */
export function startBackroomFromSource(ctx: BenchContext, env: Record<string, string> = {}): Promise<Server> {
  return startBackroom(ctx, env, ['--import', 'tsx', 'src/main.ts', 'serve']);
}
