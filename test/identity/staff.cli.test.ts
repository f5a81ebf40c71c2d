import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';
import { staffPassword } from './staff.helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function backroom(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const oneErrorLine = (run: Run, pattern: RegExp) => {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
};

describe('backroom admin create and keys create', { timeout: 180_000 }, () => {
  let env: Record<string, string>;
  let dataDir: string | undefined;
  let testDb: TestDb | undefined;

  beforeAll(async () => {
    if (usingPostgres) {
      testDb = await createTestDb({ empty: true });
      env = { DATABASE_URL: testDb.url ?? '' };
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'backroom-staff-cli-'));
      env = { BACKROOM_DATA_DIR: dataDir };
    }
  });
  afterAll(async () => {
    await testDb?.destroy().catch(() => {});
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('admin create prints the new staff id; a taken email or an unknown role exits 1 with one line', async () => {
    const args = ['admin', 'create', '--email', 'Lead@Shop.example', '--password', staffPassword, '--name', 'Lead'];
    const ok = await backroom([...args, '--role', 'catalog-manager'], env);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/^stf_\w+\n$/) });
    oneErrorLine(await backroom([...args, '--role', 'owner'], env), /^backroom: .*already exists/);
    oneErrorLine(
      await backroom(
        ['admin', 'create', '--email', 'n@shop.example', '--password', staffPassword, '--role', 'emperor'],
        env,
      ),
      /^backroom: unknown role "emperor"/,
    );
  });

  it('keys create prints a secret key once; an unknown permission exits 1 naming it', async () => {
    const ok = await backroom(
      ['keys', 'create', '--name', 'ci', '--permissions', 'catalog:write,inventory:adjust'],
      env,
    );
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/^sk_[\w-]{43}\n$/) });
    oneErrorLine(
      await backroom(['keys', 'create', '--name', 'ci', '--permissions', 'catalog:write,root'], env),
      /^backroom: Unknown permission "root"/,
    );
  });
});
