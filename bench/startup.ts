import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchContext, distIsStale, freePort, type Result } from './support.js';

/**
 * `npm run bench -- --scenarios startup`: time from spawning `backroom serve` to the first 200 of
 * `/health/ready`, polled every 10 ms. Embedded: a brand-new data dir (migrations and the demo shop
 * seeded on first run), then a restart on that dir. PostgreSQL: the bench's empty database (every
 * migration), restarts with migrations current, and restarts after a SIGKILL. Each row reports the
 * median (p50 column) and slowest (p99 column) of its starts; ops/s does not apply (0).
 */

export interface StartupResult extends Result {
  /** Every measured start, in ms, in order. */
  readyMs: number[];
}

interface Started {
  ms: number;
  child: ChildProcess;
}

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);

export async function startupScenarios(ctx: BenchContext): Promise<Record<string, StartupResult>> {
  // dist/ is what `backroom serve` runs in production; from source, tsx's transpiling would be measured too.
  const fromSource = distIsStale();
  const args = fromSource ? ['--import', 'tsx', 'src/main.ts', 'serve'] : ['bin/backroom.js', 'serve'];
  const served = fromSource ? 'from source (dist/ stale: includes tsx transpiling)' : 'from dist/';
  const out: Record<string, StartupResult> = {};

  const dirs: string[] = [];
  try {
    const fresh: number[] = [];
    const restart: number[] = [];
    for (let i = 0; i < Math.max(1, RUNS - 1); i++) {
      const dir = mkdtempSync(join(tmpdir(), 'backroom-startup-'));
      dirs.push(dir);
      const first = await start(args, { BACKROOM_DATA_DIR: dir });
      fresh.push(first.ms);
      await stop(first.child, 'SIGTERM');
      const again = await start(args, { BACKROOM_DATA_DIR: dir });
      restart.push(again.ms);
      await stop(again.child, 'SIGTERM');
    }
    out['startup: embedded, new data dir → ready'] = summary(
      fresh,
      `migrations + demo shop seeded on first run, ${served}`,
    );
    out['startup: embedded, existing data dir → ready'] = summary(restart, `restart after a clean stop, ${served}`);
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }

  if (ctx.databaseUrl) {
    const pg = { DATABASE_URL: ctx.databaseUrl };
    const first = await start(args, pg);
    await stop(first.child, 'SIGTERM');
    out['startup: PostgreSQL, empty database → ready'] = summary([first.ms], `every migration applied, ${served}`);
    const current: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = await start(args, pg);
      current.push(s.ms);
      await stop(s.child, 'SIGTERM');
    }
    out['startup: PostgreSQL, migrations current → ready'] = summary(current, `restart after a clean stop, ${served}`);
    const crashed: number[] = [];
    let running = await start(args, pg);
    for (let i = 0; i < RUNS; i++) {
      await stop(running.child, 'SIGKILL');
      running = await start(args, pg);
      crashed.push(running.ms);
    }
    await stop(running.child, 'SIGTERM');
    out['startup: PostgreSQL, after a crash → ready'] = summary(crashed, `restart after SIGKILL, ${served}`);
  }
  return out;
}

function summary(ms: number[], note: string): StartupResult {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    opsPerSec: 0,
    p50Ms: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
    p99Ms: sorted.at(-1) ?? 0,
    errors: 0,
    readyMs: ms,
    note: `ms to /health/ready 200, median / slowest of ${ms.length}: ${note}`,
  };
}

async function start(args: string[], env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    env: {
      ...inherited,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      RATE_LIMIT_MAX: '1000000',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/health/ready`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early with ${child.exitCode}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { ms: Math.round(performance.now() - t0), child };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${url} did not become ready within 120 s`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function stop(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}
