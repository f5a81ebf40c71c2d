import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/platform/db/data-dir-lock.js';
import { backroom } from '../support/cli.js';
import { usingPostgres } from '../support/db.js';
import { type ChildServer, spawnScript } from '../support/fixtures/server-process.js';

const psql = ['/usr/bin/psql', '/usr/local/bin/psql'].find((p) => existsSync(p));
const password = 'Quiet-Harbour-Lantern-42';

/**
 * The real `serve` owns the embedded data dir; the real CLI, run against the same folder meanwhile,
 * goes through the socket serve offers there (issue 13 item 7: no more "stop the shop to make a key").
 */
describe.skipIf(usingPostgres)('the CLI while serve runs on the embedded database', { timeout: 240_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'backroom-attach-'));
  const dataDir = join(scratch, 'data');
  const env = { BACKROOM_DATA_DIR: dataDir };
  let server: ChildServer | undefined;
  let base: string;

  async function startServe() {
    server = spawnScript(['src/main.ts', 'serve'], env);
    const up = await server.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('Backroom is up'), 180_000);
    base = up.url as string;
    expect(server.lines.some((l) => l.socket === dataDir)).toBe(true);
  }

  const get = async (path: string, key: string) =>
    fetch(base + path, { headers: { authorization: `Bearer ${key}` } }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { data: { id: string; email: string }[] },
    }));

  beforeAll(startServe, 240_000);
  afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('keys create, admin create and inventory verify exit 0, and the new key works against the running server', async () => {
    const key = await backroom(['keys', 'create', '--name', 'ops', '--permissions', 'all'], env);
    expect(key).toMatchObject({ code: 0, stdout: expect.stringMatching(/^sk_[\w-]{43}\n$/) });
    const sk = key.stdout.trim();

    const staff = await backroom(
      ['admin', 'create', '--email', 'night@shop.example', '--password', password, '--role', 'support'],
      env,
    );
    expect(staff).toMatchObject({ code: 0, stdout: expect.stringMatching(/^stf_\w+\n$/) });

    const listed = await get('/v1/admin/staff?q=night', sk);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((s) => [s.id, s.email])).toEqual([[staff.stdout.trim(), 'night@shop.example']]);

    const verify = await backroom(['inventory', 'verify'], env);
    expect(verify).toMatchObject({ code: 0, stdout: 'all levels match the ledger\n' });
    // The server kept the data dir the whole time.
    expect(server?.child.exitCode).toBeNull();
  });

  it.skipIf(!psql)('lets psql in through the socket: psql -h <data dir>', () => {
    const run = spawnSync(
      psql as string,
      ['-h', dataDir, '-AtX', '-c', "select email from staff_user where email like 'night@%'"],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('night@shop.example\n');
  });

  it('still refuses, naming the owner, a data dir held by a live process that serves no socket', async () => {
    const other = join(scratch, 'held');
    mkdirSync(other);
    const unlock = lockDataDir(other);
    try {
      const run = await backroom(['inventory', 'verify'], { BACKROOM_DATA_DIR: other });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`is in use by process ${process.pid}, which serves no local socket`);
    } finally {
      unlock();
    }
  });

  it('after serve is killed (-9), the CLI opens the data dir itself; a new serve replaces the stale socket', async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    // What the killed process left behind: its pid file, socket and socket record.
    for (const left of ['backroom.pid', '.s.PGSQL.5432', 'backroom.socket'])
      expect(existsSync(join(dataDir, left))).toBe(true);

    const verify = await backroom(['inventory', 'verify'], env);
    expect(verify).toMatchObject({ code: 0, stdout: 'all levels match the ledger\n' });
    expect(existsSync(join(dataDir, 'backroom.pid'))).toBe(false);

    await startServe();
    const key = await backroom(['keys', 'create', '--name', 'after-crash', '--permissions', 'staff:read'], env);
    expect(key.code).toBe(0);
    expect((await get('/v1/admin/staff', key.stdout.trim())).status).toBe(200);
  });
});
