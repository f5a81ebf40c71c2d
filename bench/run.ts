/**
 * `npm run bench`: throughput and latency of the running service, printed as a table and written
 * to bench/results/latest.json (and a timestamped copy). Uses the embedded database unless
 * BENCH_DATABASE_URL points at PostgreSQL. Each issue adds its scenarios here.
 *
 * Numbers are for comparing before/after a change on the same machine, not absolute claims.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { migrations } from '../src/migrations/index.js';
import { createDb } from '../src/platform/db/create-db.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { withTransaction } from '../src/platform/db/transaction.js';
import { EventHandlers } from '../src/platform/outbox/handlers.js';
import { appendEvent } from '../src/platform/outbox/outbox.js';
import { relayOnce } from '../src/platform/outbox/relay.js';

interface Row {
  scenario: string;
  unit: string;
  value: number;
  p50Ms?: number;
  p99Ms?: number;
  note?: string;
}

const DURATION = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** The real server in its own process (so the load generator does not share its event loop). */
async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'backroom-bench-'));
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    // Production-like: warn level, so per-request log lines do not dominate the measurement.
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    // The bench measures throughput, not the abuse limits.
    RATE_LIMIT_MAX: '1000000',
    BACKROOM_DATA_DIR: dataDir,
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  };
  const child = spawn(process.execPath, ['bin/backroom.js', 'serve'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early with ${child.exitCode}`);
    const ok = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error('server did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
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

async function http(url: string, scenario: string, path: string): Promise<Row> {
  const r = await autocannon({ url: url + path, connections: CONNECTIONS, duration: DURATION });
  return {
    scenario,
    unit: 'req/s',
    value: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    note: `${CONNECTIONS} conns, ${r.non2xx} non-2xx`,
  };
}

/**
 * Logins are deliberately expensive (argon2id, 19 MiB), so the question is not "how many" but
 * "does a login flood starve everything else": hammer logins and, at the same time, measure a
 * cheap route. Hashing is capped at two at a time, so /health/live should keep a low p99.
 */
async function loginUnderLoad(url: string): Promise<Row[]> {
  const email = `bench-${Date.now()}@example.com`;
  const password = 'bench password 123';
  const reg = await fetch(`${url}/v1/store/customers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (reg.status !== 201) throw new Error(`bench customer registration failed: ${reg.status}`);
  const login = autocannon({
    url: `${url}/v1/store/auth/sessions`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
    connections: 20,
    duration: DURATION,
  });
  const cheap = autocannon({ url: `${url}/health/live`, connections: 5, duration: DURATION });
  const [l, c] = await Promise.all([login, cheap]);
  return [
    {
      scenario: 'POST /v1/store/auth/sessions (login)',
      unit: 'ops/s',
      value: Math.round(l.requests.average),
      p50Ms: l.latency.p50,
      p99Ms: l.latency.p99,
      note: `20 conns, ${l.non2xx} non-2xx`,
    },
    {
      scenario: 'GET /health/live during login flood',
      unit: 'req/s',
      value: Math.round(c.requests.average),
      p50Ms: c.latency.p50,
      p99Ms: c.latency.p99,
      note: '5 conns',
    },
  ];
}

async function outboxRelay(): Promise<Row> {
  const n = 2000;
  const url = process.env.BENCH_DATABASE_URL;
  const handle = await createDb({
    url,
    dataDir: 'memory://',
    poolMax: 10,
    lockTimeoutMs: 5000,
    statementTimeoutMs: 60_000,
  });
  await migrateToLatest(handle.db, migrations);
  for (let i = 0; i < n; i += 100) {
    await withTransaction(handle.db, async (tx) => {
      for (let j = 0; j < 100; j++) await appendEvent(tx, { type: 'bench.happened', payload: { i: i + j } });
    });
  }
  let delivered = 0;
  const handlers = new EventHandlers().on('bench.happened', 'count', async () => {
    delivered++;
  });
  const t0 = performance.now();
  while (
    (await relayOnce(
      { db: handle.db, handlers, logger: pino({ level: 'silent' }) },
      { batchSize: 100, pollIntervalMs: 0, maxAttempts: 3 },
    )) > 0
  ) {}
  const seconds = (performance.now() - t0) / 1000;
  await handle.db.deleteFrom('outbox_event').execute();
  await handle.close();
  return {
    scenario: 'outbox relay (batch 100)',
    unit: 'events/s',
    value: Math.round(delivered / seconds),
    note: `${n} events`,
  };
}

async function main() {
  const rows: Row[] = [];
  const server = await startServer();
  try {
    rows.push(await http(server.url, 'GET /health/live', '/health/live'));
    rows.push(await http(server.url, 'GET /health/ready (2 SQL)', '/health/ready'));
    rows.push(await http(server.url, 'GET unknown route → 404 problem', '/v1/nope'));
    rows.push(...(await loginUnderLoad(server.url)));
  } finally {
    await server.stop();
  }
  rows.push(await outboxRelay());

  const db = process.env.BENCH_DATABASE_URL ? 'postgresql' : 'embedded';
  process.stdout.write(`\nBackroom bench — ${new Date().toISOString()} — database: ${db}\n\n`);
  const table = rows.map((r) => ({
    scenario: r.scenario,
    value: `${r.value} ${r.unit}`,
    p50: r.p50Ms === undefined ? '' : `${r.p50Ms} ms`,
    p99: r.p99Ms === undefined ? '' : `${r.p99Ms} ms`,
    note: r.note ?? '',
  }));
  const widths = Object.keys(table[0] ?? {}).map((k) =>
    Math.max(k.length, ...table.map((t) => String(t[k as keyof typeof t]).length)),
  );
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(`${line(Object.keys(table[0] ?? {}))}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const t of table) process.stdout.write(`${line(Object.values(t))}\n`);

  mkdirSync('bench/results', { recursive: true });
  const out = { at: new Date().toISOString(), database: db, node: process.version, rows };
  writeFileSync('bench/results/latest.json', `${JSON.stringify(out, null, 2)}\n`);
  writeFileSync(`bench/results/${out.at.replace(/[:.]/g, '-')}.json`, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write('\nwritten: bench/results/latest.json\n');
}

await main();
