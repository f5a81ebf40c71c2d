import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, parseSecretKey, SecretBoxError } from '../secret-box.js';

describe('secret box (AES-256-GCM)', () => {
  const box = createSecretBox(randomBytes(32));

  it('round-trips a secret and never stores it in clear', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'stf_1');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'stf_1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('uses a fresh nonce each time', () => {
    expect(box.seal('same', 'a')).not.toBe(box.seal('same', 'a'));
  });

  it('refuses a value moved to another record, tampered with, or sealed with another key', () => {
    const sealed = box.seal('secret', 'stf_1');
    expect(() => box.open(sealed, 'stf_2')).toThrow(SecretBoxError);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'stf_1')).toThrow(SecretBoxError);
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'stf_1')).toThrow(SecretBoxError);
  });

  it('accepts a 32-byte key as hex or base64url and refuses any other length', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseSecretKey(key.toString('base64url')).equals(key)).toBe(true);
    expect(() => parseSecretKey('too-short')).toThrow(SecretBoxError);
  });
});
