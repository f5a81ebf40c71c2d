import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BackroomClient, createBackroomClient } from '@backroom/client';
import { adminSql, databaseUrl } from '../../support/pg-admin.js';

/**
 * A real Backroom server for browser tests, started the way a user starts it: `node bin/backroom.js serve` from the
 * built `dist/` (so what runs is what `npm install` ships, admin app included), with workers on (the home page's live
 * numbers and every email need them) and the demo shop seeded. The database is fresh: a new database on
 * TEST_DATABASE_URL's server, else a new embedded data dir. Emails go to files under `<dataDir>/mail/`.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface BrowserServer {
  /** `http://127.0.0.1:<port>` — the API is under `/v1`, the admin app at `/admin/`. */
  baseUrl: string;
  port: number;
  dataDir: string;
  mailDir: string;
  /** The PostgreSQL database URL when the run uses TEST_DATABASE_URL. */
  databaseUrl: string | undefined;
  /** The environment the server runs with (test code reads settings such as MFA_REQUIRED_ROLES from it). */
  env: Readonly<Record<string, string>>;
  /** A typed API client; with `token`, calls are made as that staff member or customer. */
  api(token?: string): BackroomClient;
  /** Everything the server printed so far (JSON log lines). */
  log(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** More environment for the server (overrides the defaults below). */
  env?: Record<string, string>;
  /** How long to wait for `/health/ready`. */
  readyTimeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** The parent's environment without the settings this harness chooses itself. */
export function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const k of ['DATABASE_URL', 'BACKROOM_DATA_DIR', 'PORT', 'HOST', 'REDIS_URL', 'SMTP_URL', 'NODE_OPTIONS']) {
    delete env[k];
  }
  // vitest marks its own processes; the server is not one of them.
  for (const k of Object.keys(env)) if (k.startsWith('VITEST')) delete env[k];
  return env;
}

export function runOnce(cwd: string, args: string[], env: Record<string, string>, output: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/backroom.js', ...args], { cwd, env, stdio: 'pipe' });
    child.stdout.on('data', (d: Buffer) => output.push(d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`backroom ${args.join(' ')} exited ${code}:\n${output.join('')}`)),
    );
  });
}

export async function waitReady(baseUrl: string, child: ChildProcess, timeoutMs: number, output: string[]) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`backroom serve exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    }
    try {
      const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`backroom serve not ready within ${timeoutMs} ms (last: ${last})\n${tail(output.join(''))}`);
}

/** Every file the admin build's manifest and index.html name is there (a build was not half-way through). */
function adminBuildComplete(distDir: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(distDir, '.vite/manifest.json'), 'utf8')) as Record<
      string,
      { file: string; css?: string[] }
    >;
    const files = Object.values(manifest).flatMap((e) => [e.file, ...(e.css ?? [])]);
    const html = readFileSync(join(distDir, 'index.html'), 'utf8');
    for (const m of html.matchAll(/(?:src|href)="\/admin\/([^"]+)"/g)) files.push(m[1] ?? '');
    return files.every((f) => existsSync(join(distDir, f)));
  } catch {
    return false;
  }
}

/**
 * A copy of the installed app (bin/, dist/, the admin build, templates/, package.json; node_modules linked), so a
 * `npm run build` running next to the tests (other work in the same checkout) cannot change or empty the files of a
 * server while a test uses it. Waits for a complete admin build.
 */
export async function snapshotInstall(into: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const app = join(into, 'app');
    rmSync(app, { recursive: true, force: true });
    mkdirSync(join(app, 'packages/admin'), { recursive: true });
    for (const part of ['bin', 'dist', 'templates', 'package.json'])
      cpSync(join(root, part), join(app, part), { recursive: true });
    if (existsSync(join(root, 'packages/admin/dist'))) {
      cpSync(join(root, 'packages/admin/dist'), join(app, 'packages/admin/dist'), { recursive: true });
    }
    symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
    if (adminBuildComplete(join(app, 'packages/admin/dist')) && existsSync(join(app, 'dist/main.js'))) return app;
    if (Date.now() > deadline) throw new Error('packages/admin/dist is not a complete build: run `npm run build`');
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export function tail(text: string, lines = 80): string {
  return text.split('\n').slice(-lines).join('\n');
}

export async function startServer(opts: StartOptions = {}): Promise<BrowserServer> {
  if (!existsSync(join(root, 'dist/main.js'))) {
    throw new Error('dist/ is missing: browser tests run the built server; run `npm run build` first');
  }
  const workDir = mkdtempSync(join(tmpdir(), 'backroom-browser-'));
  const dataDir = join(workDir, 'data');
  const mailDir = join(dataDir, 'mail');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const env: Record<string, string> = {
    ...inheritedEnv(),
    HOST: '127.0.0.1',
    PORT: String(port),
    BACKROOM_DATA_DIR: dataDir,
    BACKROOM_WORKERS: 'true',
    BACKROOM_FAKE_GATEWAYS: 'true',
    // A key of its own, so a PostgreSQL run does not warn about the key file on every start.
    BACKROOM_SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_FORMAT: 'json',
    LOG_LEVEL: process.env.BROWSER_SERVER_LOG_LEVEL ?? 'info',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  };

  // PostgreSQL: an empty database of its own; `backroom seed` migrates it and loads the demo shop (on the embedded
  // database `serve` does both itself the first time, as `npm start` does).
  const base = process.env.TEST_DATABASE_URL;
  let dbName: string | undefined;
  let dbUrl: string | undefined;
  if (base) {
    dbName = `bk_browser_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = adminSql(base);
    try {
      await admin.unsafe(`create database "${dbName}"`);
    } finally {
      await admin.end();
    }
    dbUrl = databaseUrl(base, dbName);
    env.DATABASE_URL = dbUrl;
  }
  Object.assign(env, opts.env ?? {});

  const dropDatabase = async () => {
    if (!base || !dbName) return;
    const admin = adminSql(base);
    try {
      await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    } finally {
      await admin.end();
    }
  };

  let child: ChildProcess | undefined;
  try {
    const app = await snapshotInstall(workDir);
    if (dbUrl) await runOnce(app, ['seed'], { ...env, LOG_LEVEL: 'warn' }, output);
    const started = spawn(process.execPath, ['bin/backroom.js', 'serve'], { cwd: app, env, stdio: 'pipe' });
    child = started;
    started.stdout?.on('data', (d: Buffer) => output.push(d.toString('utf8')));
    started.stderr?.on('data', (d: Buffer) => output.push(d.toString('utf8')));
    await waitReady(baseUrl, started, opts.readyTimeoutMs ?? 120_000, output);
  } catch (err) {
    child?.kill('SIGKILL');
    await dropDatabase().catch(() => {});
    rmSync(workDir, { recursive: true, force: true });
    throw err;
  }
  const running = child;

  let stopped: Promise<void> | undefined;
  return {
    baseUrl,
    port,
    dataDir,
    mailDir,
    databaseUrl: dbUrl,
    env,
    api: (token) => createBackroomClient({ baseUrl, ...(token ? { sessionToken: token } : {}), retries: 0 }),
    log: () => output.join(''),
    stop() {
      stopped ??= (async () => {
        if (running.exitCode === null && running.signalCode === null) {
          const exited = new Promise((r) => running.once('exit', r));
          running.kill('SIGTERM');
          const timer = setTimeout(() => running.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        }
        await dropDatabase();
        rmSync(workDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** The last lines of the server's log, for a failed test's output. */
export function logTail(server: BrowserServer, lines = 120): string {
  return tail(server.log(), lines);
}
