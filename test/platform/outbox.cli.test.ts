import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backroom, cliDatabase } from '../support/cli.js';

describe('backroom outbox retry', { timeout: 120_000 }, () => {
  let cli: Awaited<ReturnType<typeof cliDatabase>>;
  beforeAll(async () => {
    cli = await cliDatabase('outbox-cli');
  });
  afterAll(async () => {
    await cli?.cleanup();
  });

  it('exits 1 for an event that is not dead, on either database', async () => {
    expect((await backroom(['migrate'], cli.env)).code).toBe(0);
    const run = await backroom(['outbox', 'retry', 'evt_nope'], cli.env);
    expect(run.stdout).toContain('evt_nope is not a dead event');
    expect(run.code).toBe(1);
  });
});
