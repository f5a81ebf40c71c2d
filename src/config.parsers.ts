/**
 * The value parsers of the configuration table (src/config.ts): each turns one environment variable's text into its
 * typed value or throws `ConfigError` naming the variable.
 */

import { isIP } from 'node:net';
import { parseSecretKey } from './platform/crypto/secret-box.js';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type Parser<T> = (raw: string, name: string) => T;

export const integer =
  (min: number, max: number): Parser<number> =>
  (raw, name) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `expected an integer, got ${JSON.stringify(raw)}`);
    const n = Number(raw);
    if (n < min || n > max) throw new ConfigError(name, `expected ${min}–${max}, got ${n}`);
    return n;
  };

export const oneOf =
  <T extends string>(...values: readonly T[]): Parser<T> =>
  (raw, name) => {
    const v = raw.trim().toLowerCase() as T;
    if (!values.includes(v))
      throw new ConfigError(name, `expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
    return v;
  };

export const bool: Parser<boolean> = (raw, name) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(v)) return true;
  if (['0', 'false', 'off', 'no'].includes(v)) return false;
  throw new ConfigError(name, `expected on/off (true/false, 1/0), got ${JSON.stringify(raw)}`);
};

/**
 * Which proxies to believe about the client's address. `true` believes every hop — the leftmost `X-Forwarded-For`
 * entry, which the client writes itself — so the proxies' own addresses are the safe setting: the client's address
 * is then the one the nearest trusted proxy saw, and a client cannot choose the address that login lockouts and rate
 * limits count. (A bare hop count is not offered: Fastify refuses it, since it cannot check the immediate peer.)
 */
export type TrustProxy = boolean | string[];
const namedRanges = ['loopback', 'linklocal', 'uniquelocal'];
export const trustProxy: Parser<TrustProxy> = (raw, name) => {
  const v = raw.trim().toLowerCase();
  if (['true', 'on', 'yes', '1'].includes(v)) return true;
  if (['false', 'off', 'no', '0', ''].includes(v)) return false;
  const entries = v
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (namedRanges.includes(entry)) continue;
    const [address, bits, ...rest] = entry.split('/');
    const version = isIP(address ?? '');
    const maxBits = version === 6 ? 128 : 32;
    const badBits = bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > maxBits);
    if (!version || badBits || rest.length > 0) {
      throw new ConfigError(
        name,
        `expected on/off or the proxies' addresses/CIDRs (10.0.0.0/8, 127.0.0.1, loopback), got ${JSON.stringify(entry)}`,
      );
    }
  }
  return entries;
};

export const url =
  (...protocols: string[]): Parser<string> =>
  (raw, name) => {
    let parsed: URL;
    try {
      parsed = new URL(raw.trim());
    } catch {
      throw new ConfigError(name, `not a valid URL (expected ${protocols.join(' or ')}//…)`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(name, `expected a ${protocols.join(' or ')}// URL, got "${parsed.protocol}//…"`);
    }
    if (!parsed.hostname) throw new ConfigError(name, 'URL has no host');
    return raw.trim();
  };

export const text: Parser<string> = (raw) => raw.trim();

/** An IANA time zone name (`Europe/Berlin`), checked against the runtime's zone database; returned canonical. */
export const timeZone: Parser<string> = (raw, name) => {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: raw.trim() }).resolvedOptions().timeZone;
  } catch {
    throw new ConfigError(name, `expected an IANA time zone such as Europe/Berlin or UTC, got ${JSON.stringify(raw)}`);
  }
};

/** A 32-byte key as 64 hex or 43 base64url characters; the value itself is never echoed in the error. */
export const secretKey: Parser<string> = (raw, name) => {
  try {
    parseSecretKey(raw);
  } catch {
    throw new ConfigError(name, 'expected 32 bytes as 64 hex or 43 base64url characters');
  }
  return raw.trim();
};

export const list: Parser<string[]> = (raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export interface Setting<T> {
  parse: Parser<T>;
  /** Value used when the variable is unset or empty; `undefined` means optional. */
  default: T | undefined;
  doc: string;
}

export const setting = <T>(parse: Parser<T>, def: T | undefined, doc: string): Setting<T> => ({
  parse,
  default: def,
  doc,
});
