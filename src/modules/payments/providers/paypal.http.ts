import { PaymentProviderError } from '../payments.errors.js';

/**
 * Transport helpers of the PayPal adapter: pointing the official SDK at another base URL (the local fake) and
 * sorting its failures into "PayPal refused" (a business answer) and "outcome unknown" (retry with the same key).
 */

/** The part of an axios request config the SDK's HTTP client fills in (axios itself is not our dependency). */
interface AxiosLikeConfig {
  url?: string;
  method?: string;
  headers?: unknown;
  data?: unknown;
  auth?: { username: string; password?: string };
  timeout?: number;
  signal?: AbortSignal;
}

/** A timeout of our transport, shaped like axios's so the SDK and we recognise it. */
class TransportTimeoutError extends Error {
  readonly code = 'ECONNABORTED';
  constructor(ms: number) {
    super(`timeout of ${ms}ms exceeded`);
  }
}

function plainHeaders(headers: unknown): Record<string, string> {
  // axios hands adapters an AxiosHeaders instance; toJSON() flattens it to name → value.
  const raw =
    headers && typeof (headers as { toJSON?: unknown }).toJSON === 'function'
      ? (headers as { toJSON(): Record<string, unknown> }).toJSON()
      : ((headers ?? {}) as Record<string, unknown>);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || value === null || value === false) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/**
 * An axios adapter (passed to the SDK as `unstable_httpClientOptions.adapter`) that sends every request to
 * `apiBase` instead of PayPal's fixed host, with Node's fetch. The SDK's base URL cannot be configured, and this
 * is the one seam it offers. The SDK asks for text bodies and accepts every status, so neither is interpreted here.
 */
export function rebasingAdapter(apiBase: string): (config: AxiosLikeConfig) => Promise<unknown> {
  const base = apiBase.replace(/\/+$/, '');
  return async (config) => {
    const original = new URL(config.url ?? '/');
    const headers = plainHeaders(config.headers);
    if (config.auth) {
      // axios turns `auth` into Basic authorization itself, but only in its own adapters.
      const basic = Buffer.from(`${config.auth.username}:${config.auth.password ?? ''}`).toString('base64');
      headers.authorization = `Basic ${basic}`;
    }
    const timeout = config.timeout && config.timeout > 0 ? config.timeout : undefined;
    const signals = [config.signal, timeout ? AbortSignal.timeout(timeout) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const method = (config.method ?? 'get').toUpperCase();
    try {
      const res = await fetch(`${base}${original.pathname}${original.search}`, {
        method,
        headers,
        body: method === 'GET' || method === 'HEAD' || config.data == null ? undefined : String(config.data),
        signal: signals.length ? AbortSignal.any(signals) : null,
      });
      const data = await res.text();
      const resHeaders: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        resHeaders[name.toLowerCase()] = value;
      });
      return { data, status: res.status, statusText: res.statusText, headers: resHeaders, config, request: {} };
    } catch (e) {
      if (timeout && e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) {
        throw new TransportTimeoutError(timeout);
      }
      throw e;
    }
  };
}

/** PayPal's answer to a call it refused: the HTTP status and the first `details[].issue` (or the error `name`). */
export interface PayPalRefusal {
  refused: true;
  status: number;
  issue: string;
}

export const isRefusal = (v: unknown): v is PayPalRefusal =>
  typeof v === 'object' && v !== null && (v as { refused?: unknown }).refused === true;

interface ApiErrorLike {
  statusCode: number;
  body: unknown;
  result?: unknown;
}

const isApiError = (e: unknown): e is ApiErrorLike =>
  typeof e === 'object' && e !== null && typeof (e as { statusCode?: unknown }).statusCode === 'number';

interface ErrorBody {
  name?: string;
  details?: { issue?: string }[];
  debug_id?: string;
  /** OAuth-style errors (a rejected bearer token): `{ error: 'invalid_token', error_description }`. */
  error?: string;
}

function errorBody(e: ApiErrorLike): ErrorBody {
  if (e.result && typeof e.result === 'object') return e.result as never;
  try {
    return typeof e.body === 'string' ? (JSON.parse(e.body) as never) : {};
  } catch {
    return {};
  }
}

/** PayPal rejected our bearer token (expired or revoked before the SDK's own expiry): a new token may succeed. */
export const isTokenRejected = (e: unknown): boolean =>
  isApiError(e) && e.statusCode === 401 && errorBody(e).error === 'invalid_token';

/**
 * Statuses that are PayPal's definitive answer about this request (bad input, unknown id, business rule). Anything
 * else — 401/403 (our credentials), 409 (a previous call with this key is still running), 429, 5xx, a timeout or a
 * broken connection — leaves the outcome unknown.
 */
const REFUSING = new Set([400, 404, 422]);

/**
 * Runs one SDK call: its result, a {@link PayPalRefusal}, or a thrown {@link PaymentProviderError}. The thrown
 * error's cause is rebuilt from the status and PayPal's debug id only: SDK and axios errors carry the request
 * config, whose headers hold the access token or the Basic client secret.
 */
export async function callPayPal<T>(
  provider: string,
  what: string,
  fn: () => Promise<{ result: T }>,
): Promise<T | PayPalRefusal> {
  try {
    return (await fn()).result;
  } catch (e) {
    if (isApiError(e)) {
      const body = errorBody(e);
      const issue = body.details?.[0]?.issue ?? body.name ?? `HTTP_${e.statusCode}`;
      if (REFUSING.has(e.statusCode)) return { refused: true, status: e.statusCode, issue };
      const debug = body.debug_id ? ` (debug_id ${body.debug_id})` : '';
      if (issue === 'PREVIOUS_REQUEST_IN_PROGRESS') {
        // Not a failure: PayPal is still working on this key's first request. Like a timeout, the answer is simply
        // not known yet; the retry (same key) gets the first request's result.
        const detail = `PayPal ${what}: an earlier request with this key is still in progress${debug}`;
        throw new PaymentProviderError(provider, detail, { timeout: true, cause: new Error(detail) });
      }
      const detail = `PayPal ${what} failed: HTTP ${e.statusCode} ${body.error ?? issue}${debug}`;
      throw new PaymentProviderError(provider, detail, { cause: new Error(detail) });
    }
    const err = e instanceof Error ? e : new Error(String(e));
    const timeout = (err as { code?: unknown }).code === 'ECONNABORTED' || err.name === 'TimeoutError';
    const summary = `PayPal ${what} ${timeout ? 'timed out' : 'failed'}: ${err.name}: ${err.message.slice(0, 200)}`;
    throw new PaymentProviderError(provider, summary, { timeout, cause: new Error(summary) });
  }
}
