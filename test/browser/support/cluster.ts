import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminSql, databaseUrl } from '../../support/pg-admin.js';
import { freePort, inheritedEnv, runOnce, snapshotInstall, tail, waitReady } from './server.js';

/**
 * Several Backroom processes on one PostgreSQL database, the topology README "Deployment" describes and compose.yaml
 * runs: `serve` nodes with BACKROOM_WORKERS=false behind Debian's haproxy (started on deploy/haproxy.cfg itself, its
 * variables set to local ports), and `backroom worker` processes for the background work. All from the built server
 * (`dist/`, snapshotted like the browser harness does), on a fresh database seeded with `backroom seed`, and Redis when
 * REDIS_URL is set. Used by the multi-node test and by `npm run bench -- --scenarios nodes`.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const haproxyConfig = join(root, 'deploy/haproxy.cfg');

/** The haproxy binary: HAPROXY_PATH, else `haproxy` on PATH or in /usr/sbin (Debian installs it there). */
export function haproxyPath(): string | undefined {
  if (process.env.HAPROXY_PATH) return existsSync(process.env.HAPROXY_PATH) ? process.env.HAPROXY_PATH : undefined;
  try {
    const found = execFileSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not on PATH
  }
  return existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : undefined;
}

export const missingHaproxyMessage =
  "haproxy not found: install Debian's `haproxy` package (apt-get install -y haproxy) or set HAPROXY_PATH";

/** One child process of the cluster, which can be killed and started again on the same port. */
export interface ClusterProcess {
  name: string;
  /** `http://127.0.0.1:<port>` for serve nodes (this node alone, not through the balancer); '' for workers. */
  url: string;
  /** Starts the process (again); for a serve node, resolves once its `/health/ready` answers 200. */
  start(): Promise<void>;
  /** SIGKILL: no graceful stop, in-flight requests and transactions die with it. Resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 15 s. */
  stop(): Promise<void>;
  running(): boolean;
  log(): string;
}

export interface Cluster {
  /** The balancer's address: what clients use. */
  url: string;
  nodes: ClusterProcess[];
  workers: ClusterProcess[];
  databaseUrl: string;
  /** The environment every Backroom process runs with. */
  env: Readonly<Record<string, string>>;
  /** A secret API key with every permission, made with `backroom keys create`. */
  adminKey: string;
  /** The last lines of every process's output, for a failed test. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** PostgreSQL server on which a fresh database is created (and dropped by `stop`). */
  baseDatabaseUrl: string;
  serveNodes: number;
  workers: number;
  /** More environment for every Backroom process. */
  env?: Record<string, string>;
}

function processOf(
  name: string,
  app: string,
  args: string[],
  env: Record<string, string>,
  port: number | undefined,
): ClusterProcess {
  const output: string[] = [];
  let child: ChildProcess | undefined;
  const url = port ? `http://127.0.0.1:${port}` : '';
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const gone = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || !running()) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => c.kill('SIGKILL'), 15_000);
    await exited;
    if (timer) clearTimeout(timer);
  };
  return {
    name,
    url,
    async start() {
      if (running()) throw new Error(`${name} is already running`);
      output.push(`--- ${name} started ---\n`);
      const started = spawn(process.execPath, ['bin/backroom.js', ...args], {
        cwd: app,
        env: port ? { ...env, PORT: String(port) } : env,
        stdio: 'pipe',
      });
      child = started;
      started.stdout?.on('data', (d: Buffer) => output.push(d.toString('utf8')));
      started.stderr?.on('data', (d: Buffer) => output.push(d.toString('utf8')));
      if (port) await waitReady(url, started, 120_000, output);
    },
    kill: () => gone('SIGKILL'),
    stop: () => gone('SIGTERM'),
    running,
    log: () => output.join(''),
  };
}

function startBalancer(binary: string, env: Record<string, string>, output: string[]) {
  const child = spawn(binary, ['-db', '-f', haproxyConfig], { env, stdio: 'pipe' });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString('utf8')));
  return child;
}

/** Until the balancer answers `/health/ready` with 200 (so at least one node is in rotation). */
async function waitBalancer(url: string, child: ChildProcess, output: string[]) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}):\n${output.join('')}`);
    const ok = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`haproxy at ${url} not routing within 60 s:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const binary = haproxyPath();
  if (!binary) throw new Error(missingHaproxyMessage);
  if (!existsSync(join(root, 'dist/main.js'))) {
    throw new Error('dist/ is missing: the multi-node test runs the built server; run `npm run build` first');
  }
  const workDir = mkdtempSync(join(tmpdir(), 'backroom-nodes-'));
  const dbName = `bk_nodes_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = adminSql(opts.baseDatabaseUrl);
  try {
    await admin.unsafe(`create database "${dbName}"`);
  } finally {
    await admin.end();
  }
  const dbUrl = databaseUrl(opts.baseDatabaseUrl, dbName);
  const env: Record<string, string> = {
    ...inheritedEnv(),
    HOST: '127.0.0.1',
    DATABASE_URL: dbUrl,
    // One key for every node: a secret sealed by one node is opened by another.
    BACKROOM_SECRET_KEY: randomBytes(32).toString('hex'),
    BACKROOM_WORKERS: 'false',
    // The balancer adds X-Forwarded-For; it (and only it, in compose.yaml) is the trusted hop.
    TRUST_PROXY: 'loopback',
    LOG_FORMAT: 'json',
    LOG_LEVEL: process.env.NODES_LOG_LEVEL ?? 'warn',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...(opts.env ?? {}),
  };
  const balancerOutput: string[] = [];
  const procs: ClusterProcess[] = [];
  let balancer: ChildProcess | undefined;
  const dropDatabase = async () => {
    const a = adminSql(opts.baseDatabaseUrl);
    try {
      await a.unsafe(`drop database if exists "${dbName}" with (force)`);
    } finally {
      await a.end();
    }
  };
  const logTail = (lines = 60) =>
    [
      `--- haproxy ---\n${tail(balancerOutput.join(''), lines)}`,
      ...procs.map((p) => `--- ${p.name} ---\n${tail(p.log(), lines)}`),
    ].join('\n');
  const stop = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    if (balancer && balancer.exitCode === null && balancer.signalCode === null) {
      const b = balancer;
      const exited = new Promise((r) => b.once('exit', r));
      b.kill('SIGTERM');
      await exited;
    }
    await dropDatabase().catch(() => {});
    rmSync(workDir, { recursive: true, force: true });
  };

  try {
    const app = await snapshotInstall(workDir);
    const setupOutput: string[] = [];
    await runOnce(app, ['seed'], { ...env, BACKROOM_DATA_DIR: join(workDir, 'seed') }, setupOutput);
    const keyOutput: string[] = [];
    await runOnce(
      app,
      ['keys', 'create', '--name', 'nodes-test', '--permissions', 'all'],
      { ...env, BACKROOM_DATA_DIR: join(workDir, 'seed') },
      keyOutput,
    );
    const adminKey = keyOutput.join('').match(/sk_\S+/)?.[0];
    if (!adminKey) throw new Error(`backroom keys create printed no key:\n${keyOutput.join('')}`);

    for (let i = 1; i <= opts.serveNodes; i++) {
      const dataDir = join(workDir, `node${i}`);
      mkdirSync(dataDir, { recursive: true });
      procs.push(processOf(`node${i}`, app, ['serve'], { ...env, BACKROOM_DATA_DIR: dataDir }, await freePort()));
    }
    for (let i = 1; i <= opts.workers; i++) {
      const dataDir = join(workDir, `worker${i}`);
      mkdirSync(dataDir, { recursive: true });
      procs.push(processOf(`worker${i}`, app, ['worker'], { ...env, BACKROOM_DATA_DIR: dataDir }, undefined));
    }
    await Promise.all(procs.map((p) => p.start()));
    const nodes = procs.filter((p) => p.url);
    const first = nodes[0];
    if (!first) throw new Error('a cluster needs at least one serve node');
    const balancerPort = await freePort();
    const url = `http://127.0.0.1:${balancerPort}`;
    const hostPort = (p: ClusterProcess | undefined) => (p ?? first).url.replace('http://', '');
    balancer = startBalancer(
      binary,
      {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        BALANCER_BIND: `127.0.0.1:${balancerPort}`,
        NODE1: hostPort(first),
        // With one serve node, both of the balancer's server lines name it (the bench's one-node run).
        NODE2: hostPort(nodes[1]),
      },
      balancerOutput,
    );
    await waitBalancer(url, balancer, balancerOutput);
    return {
      url,
      nodes,
      workers: procs.filter((p) => !p.url),
      databaseUrl: dbUrl,
      env,
      adminKey,
      logTail,
      stop,
    };
  } catch (err) {
    const detail = logTail();
    await stop();
    throw new Error(`${(err as Error).message}\n${detail}`);
  }
}
