import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { version } from '../../version.js';
import {
  checkUrlShape,
  type ResolvedAddress,
  resolveSafeAddresses,
  UnsafeUrlError,
  type UrlPolicy,
} from './url-safety.js';

/**
 * One HTTP attempt of a webhook delivery, with node:http/https rather than fetch: we must connect to
 * exactly the address that passed the SSRF check (a `lookup` that answers that address, while the Host
 * header and TLS SNI keep the hostname), so a name that resolves to a public address for the check and to
 * a private one a moment later (DNS rebinding) cannot steer the request. Redirects are never followed.
 */

/** How much of an answer is read and stored; the connection is dropped after that. */
export const RESPONSE_EXCERPT_BYTES = 4096;
const ERROR_MAX_CHARS = 2000;
export const USER_AGENT = `Backroom-Webhooks/${version}`;

export interface AttemptOutcome {
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  responseExcerpt: string | null;
  /** Why the attempt failed (null when it succeeded). */
  error: string | null;
  /** 2xx. */
  delivered: boolean;
  /** 410 Gone: the receiver asks us to stop (the endpoint is disabled). */
  gone: boolean;
}

export interface HttpAttempt {
  url: string;
  /** Signature headers; content-type, user-agent and content-length are added here. */
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  policy: UrlPolicy;
  /** Keep-alive agents of the endpoint (one pair per endpoint, so a slow one holds only its own sockets). */
  agents?: EndpointAgents;
}

export interface EndpointAgents {
  http: http.Agent;
  https: https.Agent;
  destroy(): void;
}

const IDLE_SOCKET_MS = 4000;

export function endpointAgents(maxSockets: number): EndpointAgents {
  // Idle sockets are closed after 4 s, before the usual 5 s keep-alive timeout of servers (Node's own): a
  // request written on a socket the server is closing at that moment would fail for nothing.
  const options = {
    keepAlive: true,
    maxSockets,
    maxFreeSockets: maxSockets,
    scheduling: 'lifo' as const,
    timeout: IDLE_SOCKET_MS,
  };
  const agents = { http: new http.Agent(options), https: new https.Agent(options) };
  return {
    ...agents,
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

class DeadlineError extends Error {}

/** Sends one attempt; never throws: every failure is an outcome with an error text. */
export async function sendAttempt(a: HttpAttempt): Promise<AttemptOutcome> {
  const startedAt = new Date();
  const t0 = performance.now();
  const done = (o: Omit<AttemptOutcome, 'startedAt' | 'durationMs' | 'delivered' | 'gone'>): AttemptOutcome => {
    const code = o.statusCode;
    return {
      ...o,
      error: o.error === null ? null : o.error.slice(0, ERROR_MAX_CHARS),
      startedAt,
      durationMs: Math.max(0, Math.round(performance.now() - t0)),
      delivered: code !== null && code >= 200 && code < 300,
      gone: code === 410,
    };
  };

  let url: URL;
  let target: ResolvedAddress;
  const live: { req?: http.ClientRequest } = {};
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError()), a.timeoutMs);
  });
  try {
    url = checkUrlShape(a.url, a.policy);
    // The resolution is checked on every attempt (DNS can change since the endpoint was saved).
    const addresses = await Promise.race([resolveSafeAddresses(url, a.policy), deadline]);
    target = addresses[0] as ResolvedAddress;
    return done(await Promise.race([request(url, target, a, live), deadline]));
  } catch (err) {
    if (err instanceof UnsafeUrlError)
      return done({ statusCode: null, responseExcerpt: null, error: `unsafe URL, not sent: ${err.message}` });
    if (err instanceof DeadlineError) {
      live.req?.destroy();
      return done({ statusCode: null, responseExcerpt: null, error: `no answer within ${a.timeoutMs} ms` });
    }
    return done({ statusCode: null, responseExcerpt: null, error: describeError(err) });
  } finally {
    clearTimeout(timer);
  }
}

type RequestResult = Omit<AttemptOutcome, 'startedAt' | 'durationMs' | 'delivered' | 'gone'>;

function request(
  url: URL,
  target: ResolvedAddress,
  a: HttpAttempt,
  live: { req?: http.ClientRequest },
): Promise<RequestResult> {
  const secure = url.protocol === 'https:';
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const headers = {
    ...a.headers,
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'content-length': String(Buffer.byteLength(a.body)),
  };
  return new Promise<RequestResult>((resolve, reject) => {
    const req = (secure ? https : http).request(url, {
      method: 'POST',
      headers,
      lookup,
      agent: a.agents ? (secure ? a.agents.https : a.agents.http) : false,
    });
    live.req = req;
    req.on('error', reject);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        const excerpt = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8').replace(/\0/g, '');
        resolve({ statusCode: status, responseExcerpt: excerpt || null, error: failureText(status, res.headers) });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // Enough for the log: drop the connection rather than read a large answer.
        if (size >= RESPONSE_EXCERPT_BYTES) {
          finish();
          res.destroy();
        }
      });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
    req.end(a.body);
  });
}

function failureText(status: number, headers: http.IncomingHttpHeaders): string | null {
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) {
    const location = headers.location ? ` to ${headers.location.slice(0, 500)}` : '';
    return `redirect (HTTP ${status})${location} not followed: redirects are never followed`;
  }
  return `HTTP ${status}`;
}

function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = e.address ? ` (${e.address}${e.port ? `:${e.port}` : ''})` : '';
  switch (e.code) {
    case 'ECONNREFUSED':
      return `connection refused${where}`;
    case 'ECONNRESET':
      return `connection reset${where}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable${where}`;
    default:
      return e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
  }
}
