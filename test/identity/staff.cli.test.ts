import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backroom, cliDatabase, type Run } from '../support/cli.js';
import { staffPassword } from './staff.helpers.js';

const oneErrorLine = (run: Run, pattern: RegExp) => {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
};

describe('backroom admin create and keys create', { timeout: 180_000 }, () => {
  let env: Record<string, string>;
  let cli: Awaited<ReturnType<typeof cliDatabase>>;

  beforeAll(async () => {
    cli = await cliDatabase('staff-cli');
    env = cli.env;
  });
  afterAll(async () => {
    await cli?.cleanup();
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

  it('keys create --publishable prints a pk_ key following the default channel, or pinned with --channel; a wrong channel exits 1', async () => {
    const ok = await backroom(['keys', 'create', '--name', 'web', '--publishable'], env);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/^pk_[\w-]{43}\n$/) });
    expect(ok.stderr).toContain('the default sales channel');
    const pinned = await backroom(['keys', 'create', '--name', 'pos', '--publishable', '--channel', 'sc_default'], env);
    expect(pinned.code).toBe(0);
    oneErrorLine(
      await backroom(['keys', 'create', '--name', 'pos', '--publishable', '--channel', 'sc_nope'], env),
      /^backroom: Sales channel sc_nope was not found/,
    );
    oneErrorLine(
      await backroom(['keys', 'create', '--name', 'x', '--publishable', '--permissions', 'all'], env),
      /publishable keys carry no --permissions/,
    );
  });
});
