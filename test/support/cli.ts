import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (`backroom …` from source) with only the given environment. */
export function backroom(args: string[], env: Record<string, string> = {}, timeoutMs = 90_000): Promise<Run> {
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
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A database for CLI runs: its own PostgreSQL database (empty, the CLI migrates it) under
 * TEST_DATABASE_URL, else an embedded data dir in a temp folder. `env` is for `backroom(args, env)`.
 */
export async function cliDatabase(
  label: string,
): Promise<{ env: Record<string, string>; dir: string; cleanup(): Promise<void> }> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createTestDb, usingPostgres } = await import('./db.js');
  const dir = mkdtempSync(join(tmpdir(), `backroom-${label}-`));
  const testDb = usingPostgres ? await createTestDb({ empty: true }) : undefined;
  return {
    env: testDb ? { DATABASE_URL: testDb.url ?? '' } : { BACKROOM_DATA_DIR: join(dir, 'data') },
    dir,
    async cleanup() {
      await testDb?.destroy().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
