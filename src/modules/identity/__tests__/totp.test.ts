import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashRecoveryCode, newRecoveryCodes, newTotpSecret, otpauthUri, totpCode, verifyTotp } from '../totp.js';

describe('TOTP and recovery codes', () => {
  const secret = newTotpSecret();
  const now = Date.UTC(2026, 10, 26, 12, 0, 15);

  it('makes an otpauth:// URI an authenticator app can scan', () => {
    const uri = new URL(otpauthUri(secret, 'owner@shop.example', 'Backroom'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Backroom');
  });

  it('accepts the current code and its neighbours for clock drift, and nothing further', () => {
    const step = Math.floor(now / 30_000);
    expect(verifyTotp(secret, totpCode(secret, now), now)).toBe(step);
    expect(verifyTotp(secret, totpCode(secret, now - 30_000), now)).toBe(step - 1);
    expect(verifyTotp(secret, totpCode(secret, now + 30_000), now)).toBe(step + 1);
    expect(verifyTotp(secret, totpCode(secret, now - 90_000), now)).toBeNull();
  });

  it('refuses anything that is not six digits', () => {
    fc.assert(
      fc.property(fc.string(), (code) => {
        if (/^\d{6}$/.test(code)) return;
        expect(verifyTotp(secret, code, now)).toBeNull();
      }),
    );
  });

  it('makes ten distinct recovery codes and hashes them case- and space-insensitively', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect(hashRecoveryCode(` ${codes[0]?.toUpperCase()} `)).toBe(hashRecoveryCode(codes[0] ?? ''));
  });
});
