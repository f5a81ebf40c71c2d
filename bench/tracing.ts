import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inSpan, tracingOn } from '../src/platform/tracing.js';
import { seedCatalog } from './catalog.js';
import {
  type BenchContext,
  distIsStale,
  load,
  type Result,
  type Server,
  startBackroom,
  startBackroomFromSource,
} from './support.js';

/**
 * `--scenarios tracing`: what OpenTelemetry costs. The same server (from dist/, or from source when dist/ is stale)
 * is started twice — tracing off (the default: the SDK is not even loaded), then on, exporting over OTLP/HTTP to a
 * receiver in this process that only counts — and measured on /health/live and on a storefront product detail with
 * the storefront cache off (STOREFRONT_CACHE_ENTRIES=0), so every read runs its statement and gets its SQL span.
 * The "on" rows carry the "off" row as baseline (the "of baseline" column). A microbenchmark of the off path's
 * manual-span wrapper (`inSpan` with tracing off: one boolean test) is in the notes.
 */

interface Receiver {
  url: string;
  requests: number;
  spans: number;
  close(): Promise<void>;
}

/** An OTLP/HTTP endpoint that answers 200 to every export and counts requests and spans (`"spanId":` occurrences). */
async function startReceiver(): Promise<Receiver> {
  const counts = { requests: 0, spans: 0 };
  const server: HttpServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      counts.requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      for (let i = body.indexOf('"spanId":'); i >= 0; i = body.indexOf('"spanId":', i + 9)) counts.spans++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return counts.requests;
    },
    get spans() {
      return counts.spans;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Product detail paths: the bench catalog on PostgreSQL, the demo shop's products on the embedded database. */
async function detailPaths(ctx: BenchContext, server: Server): Promise<string[]> {
  const handles = ctx.databaseUrl
    ? await seedCatalog(ctx.databaseUrl)
    : (
        (await (await fetch(`${server.url}/v1/store/products?limit=50`)).json()) as { data: { handle: string }[] }
      ).data.map((p) => p.handle);
  if (handles.length === 0) throw new Error('tracing bench: no products to read');
  return handles.map((h) => `/v1/store/products/${h}?currency=EUR`);
}

/** ns per call of `inSpan` with tracing off, above a direct call of the same function (best of 5 rounds). */
function offPathNanoseconds(): number {
  if (tracingOn()) throw new Error('the microbenchmark measures the off path');
  const done = Promise.resolve(1);
  const fn = () => done;
  const attrs = { 'backroom.event.type': 'x' };
  const n = 2_000_000;
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    const direct = Number(process.hrtime.bigint() - t0);
    t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) inSpan('x', attrs, fn);
    const wrapped = Number(process.hrtime.bigint() - t0);
    best = Math.min(best, (wrapped - direct) / n);
  }
  return Math.max(0, Math.round(best * 10) / 10);
}

/** The mean of interleaved rounds (machine load drifts; alternating off/on spreads the drift over both). */
function mean(rounds: Result[]): Result {
  const avg = (f: (r: Result) => number) => Math.round(rounds.reduce((a, r) => a + f(r), 0) / rounds.length);
  return {
    opsPerSec: avg((r) => r.opsPerSec),
    p50Ms: avg((r) => r.p50Ms),
    p99Ms: avg((r) => r.p99Ms),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
  };
}

export async function tracingScenarios(ctx: BenchContext): Promise<Record<string, Result>> {
  const start = (env: Record<string, string>) =>
    distIsStale() ? startBackroomFromSource(ctx, env) : startBackroom(ctx, env);
  const env = { STOREFRONT_CACHE_ENTRIES: '0' };
  const receiver = await startReceiver();
  const servers: Server[] = [];
  try {
    // Both servers up at once (idle while the other is loaded), measured in turns: off, on, off, on.
    const off = await start(env);
    servers.push(off);
    const on = await start({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    servers.push(on);
    const paths = await detailPaths(ctx, off);
    const rounds = {
      liveOff: [] as Result[],
      liveOn: [] as Result[],
      detailOff: [] as Result[],
      detailOn: [] as Result[],
    };
    for (let round = 0; round < 2; round++) {
      rounds.liveOff.push(await load(ctx, off.url, { path: '/health/live' }));
      rounds.liveOn.push(await load(ctx, on.url, { path: '/health/live' }));
    }
    for (let round = 0; round < 2; round++) {
      rounds.detailOff.push(await load(ctx, off.url, { paths }));
      rounds.detailOn.push(await load(ctx, on.url, { paths }));
    }
    // SIGTERM: the traced server flushes its last spans before it exits.
    for (const s of servers.splice(0)) await s.stop();
    const [liveOff, liveOn, detailOff, detailOn] = [
      rounds.liveOff,
      rounds.liveOn,
      rounds.detailOff,
      rounds.detailOn,
    ].map(mean) as [Result, Result, Result, Result];
    const sent = `${receiver.spans} spans in ${receiver.requests} OTLP exports received`;
    const micro = `inSpan with tracing off: ${offPathNanoseconds()} ns per call above a direct call`;
    return {
      'tracing off: GET /health/live': { ...liveOff, note: `mean of 2 rounds; ${micro}` },
      // Probes are not traced (ignorePaths): what is left is the instrumentation's cost on a request it skips.
      'tracing on: GET /health/live (not traced)': { ...liveOn, baseline: liveOff, note: 'probes make no span' },
      'tracing off: GET product detail (no cache)': { ...detailOff, note: 'mean of 2 rounds' },
      'tracing on: GET product detail (no cache)': { ...detailOn, baseline: detailOff, note: sent },
    };
  } finally {
    for (const s of servers) await s.stop();
    await receiver.close();
  }
}
