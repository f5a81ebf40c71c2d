import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

/**
 * Local database topologies for the PgBouncer and replica tests (PostgreSQL runs only): Debian's pgbouncer in
 * transaction mode, and a streaming replica made with pg_basebackup from the TEST_DATABASE_URL server. Both run
 * as the `postgres` user (the tests run as root; pgbouncer and PostgreSQL refuse to), in temp dirs on free ports.
 */

/** Debian's PostgreSQL programs, newest installed major version (pg_basebackup must not be older than the server). */
const pgBin = (() => {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0] ?? '15';
  return join(root, newest, 'bin');
})();

/** Why these tests cannot run here, or undefined when they can. In CI a missing tool fails instead of skipping. */
export function topologyUnavailable(needs: 'pgbouncer' | 'replica'): string | undefined {
  if (!process.env.TEST_DATABASE_URL) return 'needs TEST_DATABASE_URL (a local PostgreSQL server)';
  const missing =
    needs === 'pgbouncer'
      ? pgbouncerPath()
        ? undefined
        : "pgbouncer not found: install Debian's `pgbouncer` package (apt-get install -y pgbouncer)"
      : existsSync(join(pgBin, 'pg_basebackup'))
        ? undefined
        : `${pgBin}/pg_basebackup not found (Debian's postgresql-15)`;
  if (missing && process.env.CI) throw new Error(missing);
  return missing;
}

function pgbouncerPath(): string | undefined {
  for (const p of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer']) if (existsSync(p)) return p;
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A temp dir owned by the postgres user (mode 0700, as PostgreSQL requires of a data dir). */
function postgresDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  chmodSync(dir, 0o700);
  return dir;
}

const asPostgres = (cmd: string, args: string[]) =>
  execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8', stdio: 'pipe' });

export interface Pgbouncer {
  url: string;
  /** The admin console (SHOW STATS, SHOW POOLS). */
  admin(query: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/** PgBouncer in transaction mode in front of `databaseUrl`'s database, on a free port. */
export async function startPgbouncer(databaseUrl: string, poolSize = 4): Promise<Pgbouncer> {
  const binary = pgbouncerPath();
  if (!binary) throw new Error('pgbouncer not found');
  const target = new URL(databaseUrl);
  const dbName = target.pathname.slice(1);
  const dir = postgresDir('bk-pgbouncer-');
  const port = await freePort();
  writeFileSync(join(dir, 'userlist.txt'), '"postgres" ""\n');
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `${dbName} = host=${target.hostname} port=${target.port || 5432} dbname=${dbName}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'admin_users = postgres',
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 500',
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  const uidOf = (opt: string) => Number(execFileSync('id', [opt, 'postgres'], { encoding: 'utf8' }).trim());
  for (const f of ['userlist.txt', 'pgbouncer.ini']) chownSync(join(dir, f), uidOf('-u'), uidOf('-g'));
  const child: ChildProcess = spawn(binary, ['-u', 'postgres', join(dir, 'pgbouncer.ini')], { stdio: 'pipe' });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const url = `postgres://postgres@127.0.0.1:${port}/${dbName}`;
  const admin = async (query: string) => {
    const sql = postgres(`postgres://postgres@127.0.0.1:${port}/pgbouncer`, {
      max: 1,
      prepare: false,
      fetch_types: false,
      onnotice: () => {},
    });
    try {
      return [...(await sql.unsafe(query, [], { simple: true } as postgres.UnsafeQueryOptions))] as Record<
        string,
        unknown
      >[];
    } finally {
      await sql.end({ timeout: 1 });
    }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited (${child.exitCode}):\n${output.join('')}`);
    try {
      await admin('show version');
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`pgbouncer not answering: ${String(err)}\n${output.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    admin,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Replica {
  /** postgres:// URL of the replica's copy of `database`. */
  urlFor(database: string): string;
  port: number;
  /** Stops replaying WAL (it still receives it): the replica lags, deterministically. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): void;
  start(): void;
  destroy(): void;
}

/**
 * The primary must accept replication connections from 127.0.0.1: adds one pg_hba.conf line to the primary's file
 * when missing and reloads (idempotent; the Debian default only lets `all` databases in, which excludes replication).
 */
async function allowLocalReplication(primaryUrl: string) {
  const sql = postgres(primaryUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ hba_file: hba } = { hba_file: '' }] = await sql<{ hba_file: string }[]>`show hba_file`;
    const text = readFileSync(hba, 'utf8');
    if (!/^\s*host\s+replication\s+all\s+127\.0\.0\.1\/32\s+trust\s*$/m.test(text)) {
      writeFileSync(hba, `${text.endsWith('\n') ? text : `${text}\n`}host replication all 127.0.0.1/32 trust\n`);
      await sql`select pg_reload_conf()`;
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** A hot standby of the whole primary cluster (pg_basebackup -R, streaming), on a free port. */
export async function startReplica(primaryUrl: string): Promise<Replica> {
  await allowLocalReplication(primaryUrl);
  const primary = new URL(primaryUrl);
  const dir = postgresDir('bk-replica-');
  const data = join(dir, 'data');
  const port = await freePort();
  asPostgres(join(pgBin, 'pg_basebackup'), [
    '-h',
    primary.hostname,
    '-p',
    primary.port || '5432',
    '-U',
    'postgres',
    '-D',
    data,
    '-R',
    '-X',
    'stream',
    '-c',
    'fast',
  ]);
  // Debian keeps the cluster's configuration in /etc: the copy gets its own minimal files.
  writeFileSync(
    join(data, 'postgresql.conf'),
    [`port = ${port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, 'hot_standby = on'].join(
      '\n',
    ),
  );
  writeFileSync(join(data, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
  writeFileSync(join(data, 'pg_ident.conf'), '');
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  for (const f of ['postgresql.conf', 'pg_hba.conf', 'pg_ident.conf']) chownSync(join(data, f), uid, gid);
  const ctl = (...args: string[]) => asPostgres(join(pgBin, 'pg_ctl'), ['-D', data, ...args]);
  const start = () => ctl('-l', join(dir, 'log'), '-w', '-t', '60', 'start');
  start();
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const run = async (query: string) => {
    const sql = postgres(url('postgres'), { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(query);
    } finally {
      await sql.end({ timeout: 1 });
    }
  };
  return {
    urlFor: url,
    port,
    pause: () => run('select pg_wal_replay_pause()'),
    resume: () => run('select pg_wal_replay_resume()'),
    stop: () => void ctl('-m', 'fast', '-w', 'stop'),
    start: () => void start(),
    destroy() {
      try {
        ctl('-m', 'immediate', '-w', 'stop');
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the replica has replayed everything the primary has written so far (the replica is not paused). */
export async function replicaCaughtUp(primaryUrl: string, replicaUrl: string): Promise<void> {
  const p = postgres(primaryUrl, { max: 1, onnotice: () => {} });
  const r = postgres(replicaUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ lsn } = { lsn: '0/0' }] = await p<{ lsn: string }[]>`select pg_current_wal_insert_lsn()::text as lsn`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = await r<{ behind: boolean }[]>`select pg_last_wal_replay_lsn() < ${lsn}::pg_lsn as behind`;
      if (!row?.behind) return;
      if (Date.now() > deadline) throw new Error('replica did not catch up within 30 s');
      await new Promise((res) => setTimeout(res, 20));
    }
  } finally {
    await p.end({ timeout: 1 });
    await r.end({ timeout: 1 });
  }
}
