import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settings } from '../../src/config.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every environment variable the config reads', () => {
    const documented = new Set([...readme.matchAll(/^\|\s*`([A-Z_]+)`\s*\|/gm)].map((m) => m[1]));
    const missing = Object.keys(settings).filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  it('documents no variable the config does not read', () => {
    const known = new Set(Object.keys(settings));
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Running against'));
    const extra = [...table.matchAll(/^\|\s*`([A-Z_]+)`\s*\|/gm)].map((m) => m[1]).filter((n) => !known.has(n ?? ''));
    expect(extra).toEqual([]);
    expect(table).toContain('DATABASE_URL');
  });
});
