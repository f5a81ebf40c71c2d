import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * SSRF safety for webhook endpoint URLs. A merchant (or whoever holds `webhooks:manage`) chooses the
 * URL and our worker makes the request from inside the shop's network, so the URL must not reach
 * loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT or any other
 * non-public range. The host is checked when the endpoint is saved and again before every delivery,
 * because DNS can change after the check (rebinding): the delivery connects to exactly the address
 * that was checked (see `delivery.http.ts`), never to a second lookup.
 */

export interface UrlPolicy {
  /** Development only (WEBHOOKS_ALLOW_PRIVATE_URLS): `http` and any address are allowed. */
  allowPrivate: boolean;
  /** Resolver, replaceable in tests (a hostname that resolves to a private address). */
  lookup?: LookupFn;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type LookupFn = (hostname: string) => Promise<ResolvedAddress[]>;

export class UnsafeUrlError extends Error {
  override name = 'UnsafeUrlError';
}

const systemLookup: LookupFn = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/**
 * Parses the URL and checks what can be checked without DNS: `https` (or `http` when private URLs
 * are allowed), a host, no credentials in the URL (they would be logged and shown), no fragment.
 * @throws UnsafeUrlError naming what is wrong.
 */
export function checkUrlShape(raw: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError('is not an absolute URL');
  }
  const schemes = policy.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    throw new UnsafeUrlError(
      policy.allowPrivate ? 'must use https or http' : 'must use https (http is allowed only in development)',
    );
  }
  if (!url.hostname) throw new UnsafeUrlError('has no host');
  if (url.username || url.password) throw new UnsafeUrlError('must not contain a user name or password');
  if (url.hash) throw new UnsafeUrlError('must not contain a fragment');
  if (!policy.allowPrivate) {
    const literal = hostAddress(url);
    if (literal) refuseForbidden(literal);
  }
  return url;
}

/** The range name when `ip` is not a public unicast address, else null. */
export function forbiddenRange(ip: string): string | null {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(ip);
  } catch {
    return 'invalid';
  }
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    // ::ffff:10.0.0.1 reaches 10.0.0.1: judge the IPv4 address inside.
    if (v6.isIPv4MappedAddress()) return forbiddenRange(v6.toIPv4Address().toString());
  }
  const range = addr.range();
  return range === 'unicast' ? null : range;
}

function hostAddress(url: URL): string | null {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : null;
}

function refuseForbidden(ip: string): void {
  const range = forbiddenRange(ip);
  if (range) throw new UnsafeUrlError(`resolves to a ${range} address (${ip}); only public addresses are allowed`);
}

/**
 * Resolves the URL's host and refuses it when any of its addresses is not public (an attacker's
 * name may list a public and a private address and let the client pick). Returns the addresses to
 * connect to. With `allowPrivate`, resolves without judging.
 * @throws UnsafeUrlError (forbidden address, or the name does not resolve).
 */
export async function resolveSafeAddresses(url: URL, policy: UrlPolicy): Promise<ResolvedAddress[]> {
  const literal = hostAddress(url);
  let addresses: ResolvedAddress[];
  if (literal) addresses = [{ address: literal, family: isIP(literal) === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await (policy.lookup ?? systemLookup)(url.hostname);
    } catch (err) {
      throw new UnsafeUrlError(`host ${url.hostname} does not resolve (${(err as Error).message})`);
    }
    if (addresses.length === 0) throw new UnsafeUrlError(`host ${url.hostname} does not resolve`);
  }
  if (!policy.allowPrivate) for (const a of addresses) refuseForbidden(a.address);
  return addresses;
}
