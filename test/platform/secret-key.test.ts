import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { loadSecretBox } from '../../src/platform/crypto/secret-key-file.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const silent = pino({ level: 'silent' });

describe('BACKROOM_SECRET_KEY and the key file', () => {
  it('accepts 64 hex or base64url characters and refuses anything else with one line that does not echo it', () => {
    const hex = 'ab'.repeat(32);
    expect(loadConfig({ BACKROOM_SECRET_KEY: hex }).BACKROOM_SECRET_KEY).toBe(hex);
    const b64 = Buffer.alloc(32, 7).toString('base64url');
    expect(loadConfig({ BACKROOM_SECRET_KEY: b64 }).BACKROOM_SECRET_KEY).toBe(b64);
    expect(() => loadConfig({ BACKROOM_SECRET_KEY: 'too-short-secret' })).toThrow(ConfigError);
    try {
      loadConfig({ BACKROOM_SECRET_KEY: 'too-short-secret' });
    } catch (err) {
      expect((err as Error).message).toMatch(/^BACKROOM_SECRET_KEY: /);
      expect((err as Error).message).not.toContain('too-short-secret');
    }
  });

  it('MFA_REQUIRED_ROLES defaults to owner and admin', () => {
    expect(loadConfig({}).MFA_REQUIRED_ROLES).toEqual(['role_owner', 'role_admin']);
    expect(loadConfig({ MFA_REQUIRED_ROLES: 'role_owner' }).MFA_REQUIRED_ROLES).toEqual(['role_owner']);
  });

  it('without a key, creates <dataDir>/secret.key once with mode 0600 and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'backroom-key-'));
    dirs.push(dir);
    const first = loadSecretBox({ dataDir: dir }, silent);
    const sealed = first.seal('JBSWY3DPEHPK3PXP', 'staff_1');
    if (process.platform !== 'win32') expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    const second = loadSecretBox({ dataDir: dir }, silent);
    expect(second.open(sealed, 'staff_1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => second.open(sealed, 'staff_2')).toThrow();
  });
});
