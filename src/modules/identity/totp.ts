import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30 s — what every authenticator app speaks) and recovery codes.
 * A code is accepted one step either side of now, for clock drift; replay of the same code is
 * prevented by the caller storing the last used step.
 */
export const totpSettings = { algorithm: 'SHA1', digits: 6, period: 30, window: 1 } as const;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function otpauthUri(secretBase32: string, account: string, issuer: string): string {
  return new TOTP({
    issuer,
    label: account,
    secret: Secret.fromBase32(secretBase32),
    algorithm: totpSettings.algorithm,
    digits: totpSettings.digits,
    period: totpSettings.period,
  }).toString();
}

/** The time step a valid `code` belongs to, or null. Compare with the last used step to stop replays. */
export function verifyTotp(secretBase32: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = new TOTP({
    secret: Secret.fromBase32(secretBase32),
    algorithm: totpSettings.algorithm,
    digits: totpSettings.digits,
    period: totpSettings.period,
  });
  const delta = totp.validate({ token: code, timestamp: now, window: totpSettings.window });
  return delta === null ? null : Math.floor(now / 1000 / totpSettings.period) + delta;
}

export function totpCode(secretBase32: string, now = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secretBase32), period: totpSettings.period }).generate({
    timestamp: now,
  });
}

/** Ten single-use recovery codes like `7k3m-9qxd-2fhw`; only their SHA-256 is stored. */
export function newRecoveryCodes(count = 10): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(12);
    const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code.trim().toLowerCase()).digest('base64url');
}
