import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backroom, cliDatabase } from '../support/cli.js';

describe('backroom seed --products, import and export', { timeout: 240_000 }, () => {
  let env: Record<string, string>;
  let dir: string;
  let cli: Awaited<ReturnType<typeof cliDatabase>>;

  beforeAll(async () => {
    cli = await cliDatabase('import-cli');
    ({ env, dir } = cli);
  });
  afterAll(async () => {
    await cli?.cleanup();
  });

  it('seeds the demo shop plus generated products, imports a CSV, exports it back, and rejects a bad file with exit 1', async () => {
    const seeded = await backroom(['seed', '--products', '3'], env);
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(seeded.stdout).toContain('demo catalog and stock');
    expect(seeded.stdout).toContain('generated 3 products');

    const file = join(dir, 'in.csv');
    writeFileSync(
      file,
      'handle,title,status,option1_name,option1_value,sku,price_EUR,stock_main\ncli-mug,CLI Mug,active,Size,S,CLI-MUG-S,1500,7\ncli-mug,,,Size,L,CLI-MUG-L,1700,3\n',
    );
    const imported = await backroom(['import', file], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('done: 2 rows, 1 products created');

    const out = join(dir, 'out.csv');
    const exported = await backroom(['export', out], env);
    expect(exported.code, exported.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^handle,title,description,status/);
    expect(text).toContain('cli-mug,CLI Mug,');
    expect(text).toMatch(/CLI-MUG-S,,,1500,,.*7/);

    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'handle,title,sku,price_EUR\nNot A Handle,X,X-1,abc\n');
    const rejected = await backroom(['import', bad], env);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('row 2 handle:');
    expect(rejected.stdout).toContain('rejected');
  });
});
