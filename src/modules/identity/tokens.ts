import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Opaque credentials: a prefix that says what it is (`sess_`, `sk_`, `pk_`) plus 256 random bits.
 * Only the SHA-256 is stored — the values have full entropy, so a slow hash would add nothing but
 * latency — and lookups are one unique-index probe.
 */
export type TokenKind = 'sess' | 'sk' | 'pk' | 'vrf' | 'rst' | 'inv';

export function newToken(kind: TokenKind): string {
  return `${kind}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The last characters of a key, shown in lists so people can tell keys apart. */
export function tokenHint(token: string): string {
  return `${token.slice(0, token.indexOf('_') + 1)}…${token.slice(-4)}`;
}

export function tokenKind(token: string): TokenKind | undefined {
  const m = /^(sess|sk|pk|vrf|rst|inv)_[A-Za-z0-9_-]{43}$/.exec(token);
  return m?.[1] as TokenKind | undefined;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
