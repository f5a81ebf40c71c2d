import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/migrations/index.js';
import { createDb } from '../../src/platform/db/create-db.js';
import { createProgress } from '../../src/platform/progress.js';
import { backroom } from '../support/cli.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';

const names = Object.keys(migrations);

// Each test starts Node processes; on a loaded two-core CI machine that takes far longer than usual.
const slow = { timeout: 120_000 };

describe.concurrent('backroom CLI: start-up checks and help', slow, () => {
  it.each([
    ['serve', 'PORT', 'abc'],
    ['serve', 'DATABASE_URL', 'not a url'],
    ['serve', 'LOG_LEVEL', 'loud'],
    ['serve', 'BACKROOM_WORKERS', 'maybe'],
    ['migrate', 'REDIS_URL', 'http://cache'],
  ])('%s with %s=%j exits non-zero with one line on stderr naming the variable', async (command, name, value) => {
    const run = await backroom([command], { [name]: value });
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stdout).toBe('');
    expect(run.stderr.endsWith('\n')).toBe(true);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
    expect(lines[0]).toMatch(/^backroom: invalid configuration: /);
  });

  it.each(['serve', 'worker', 'migrate', 'seed', 'outbox'])(
    '%s --help prints its usage and exits 0',
    async (command) => {
      const run = await backroom([command, '--help']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(new RegExp(`^Usage: backroom ${command} `));
      if (command === 'outbox') expect(run.stdout).toMatch(/list .*\n.*retry/s);
    },
  );

  it('worker without DATABASE_URL exits non-zero and says it needs DATABASE_URL', async () => {
    const run = await backroom(['worker']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('needs DATABASE_URL');
  });
});

describe('backroom migrate and seed', slow, () => {
  let env: Record<string, string>;
  let dataDir: string | undefined;
  let testDb: TestDb | undefined;

  beforeAll(async () => {
    if (usingPostgres) {
      testDb = await createTestDb({ empty: true });
      env = { DATABASE_URL: testDb.url! };
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'backroom-cli-'));
      // An empty database already in the folder, so start-up does not unpack a migrated image.
      const h = await createDb({ dataDir, poolMax: 1, lockTimeoutMs: 5000, statementTimeoutMs: 60_000 });
      await h.close();
      env = { BACKROOM_DATA_DIR: dataDir };
    }
  });
  afterAll(async () => {
    await testDb?.destroy().catch(() => {});
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrate --status lists every migration as pending, applies none, and counts them', async () => {
    const run = await backroom(['migrate', '--status'], env);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      ...names.map((n) => `pending  ${n}`),
      `0 applied, ${names.length} pending`,
    ]);
  });

  it('migrate applies the pending migrations and names them', async () => {
    const run = await backroom(['migrate'], env);
    expect(run).toMatchObject({ code: 0, stderr: '', stdout: `applied: ${names.join(', ')}\n` });
  });

  it('migrate --status then lists every migration as applied with its time', async () => {
    const run = await backroom(['migrate', '--status'], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter(Boolean);
    names.forEach((n, i) => {
      expect(lines[i]).toMatch(new RegExp(`^applied  ${n}  \\(\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)$`));
    });
    expect(lines.at(-1)).toBe(`${names.length} applied, 0 pending`);
  });

  it('seed runs on the migrated database and exits 0, and the embedded data dir is unlocked afterwards', async () => {
    const run = await backroom(['seed'], env);
    expect(run).toMatchObject({ code: 0, stderr: expect.not.stringContaining('Error') });
    expect(run.stdout).toMatch(/^(seeded: .+|nothing to seed yet)\n$/);
    if (dataDir) expect(existsSync(join(dataDir, 'backroom.pid'))).toBe(false);
  });
});

describe('progress output', () => {
  /** A pipe-like stream (no TTY) that keeps what was written. */
  function pipe() {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    return { stream, text: () => chunks.join('') };
  }

  it('prints plain "label: n/total" lines, not a redrawn bar, when the output is not a terminal', () => {
    const out = pipe();
    const progress = createProgress('seeding', 4, out.stream);
    for (let i = 0; i < 4; i++) progress.tick();
    progress.done();
    expect(out.text()).toBe('seeding: 1/4\nseeding: 2/4\nseeding: 3/4\nseeding: 4/4\n');
  });

  it('prints at most one line per tenth of the work', () => {
    const out = pipe();
    const progress = createProgress('import', 1000, out.stream);
    for (let i = 0; i < 1000; i++) progress.tick();
    progress.done();
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe('import: 1000/1000');
    expect(out.text()).not.toContain('\u001b');
  });

  it('ends with the final count when done early, without repeating a line, and reports an empty job', () => {
    const partial = pipe();
    const progress = createProgress('copy', 10, partial.stream);
    progress.tick(3);
    progress.tick();
    progress.done();
    expect(partial.text()).toBe('copy: 3/10\ncopy: 4/10\n');

    const empty = pipe();
    createProgress('nothing', 0, empty.stream).done();
    expect(empty.text()).toBe('nothing: 0/0\n');
  });
});
