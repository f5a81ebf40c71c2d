import { isAbort, networkError } from './errors.js';

/** How failed attempts are repeated (see `transport`). */
export interface RetryOptions {
  /** Attempts after the first; 0 turns retries off. Default 2. */
  retries?: number;
  /** Wait before the first retry; doubled for each next one (with jitter). Default 250 ms. */
  baseDelayMs?: number;
  /** Longest wait between two attempts, also for a server's `Retry-After`. Default 5 s. */
  maxDelayMs?: number;
}

export interface TransportOptions {
  fetch: (request: Request) => Promise<Response>;
  retry: Required<RetryOptions>;
  publishableKey?: string | undefined;
  /** The `Authorization: Bearer` token for this request (session token, else secret key), if any. */
  bearer?: (() => Promise<string | undefined>) | undefined;
  /** False for a request that must never be repeated (a mutation the server does not deduplicate). */
  repeatable?: ((request: Request) => boolean) | undefined;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const IN_FLIGHT = 'IDEMPOTENCY_REQUEST_IN_PROGRESS';

/** A random UUID v4, also where `crypto.randomUUID` is missing (browsers outside a secure context). */
export function randomUuid(): string {
  if (typeof globalThis.crypto.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The `fetch` that openapi-fetch calls: adds the credentials and, to every mutation, an `Idempotency-Key` (a
 * random UUID, unless the caller sent one), then sends the request and repeats the SAME request — same body, same
 * key — when repeating it cannot do the work twice:
 * - no answer at all (connection refused or reset): for a mutation the server may have done the work; the same key
 *   makes the repeat replay the stored answer instead of running again;
 * - `503`: the server did not commit (a 5xx releases the key), so the repeat runs once;
 * - `409 IDEMPOTENCY_REQUEST_IN_PROGRESS` on a mutation: the first attempt (whose answer was lost) is still
 *   running; the repeat waits for it and gets its stored answer.
 * Nothing else is repeated: a 4xx is the command's answer, and a 500/502/504 may come after a commit the server
 * could not report (502 here also means a payment gateway gave no answer; the caller decides). Nor is a mutation
 * the server does not deduplicate (`repeatable`: logins, secrets shown once — see not-idempotent.ts): its repeat
 * would do the work twice.
 * Waits grow exponentially with jitter (a server's `Retry-After` is honoured), up to `maxDelayMs`; the caller's
 * `AbortSignal` stops the waiting. After the last attempt a lost answer becomes a `BackroomError`
 * (`NETWORK_ERROR`) and a 503 is returned for the caller to raise.
 */
export function transport(opts: TransportOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    const mutation = MUTATING.has(request.method);
    if (opts.publishableKey && !request.headers.has('x-publishable-key')) {
      request.headers.set('x-publishable-key', opts.publishableKey);
    }
    if (!request.headers.has('authorization')) {
      const token = await opts.bearer?.();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
    }
    if (mutation && !request.headers.has('idempotency-key')) request.headers.set('idempotency-key', randomUuid());

    const retries = opts.repeatable?.(request) === false ? 0 : opts.retry.retries;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= retries;
      let response: Response;
      try {
        response = await opts.fetch(request.clone());
      } catch (error) {
        if (isAbort(error) || request.signal?.aborted) throw error;
        if (last) throw networkError(error, request);
        await sleep(backoff(opts.retry, attempt), request.signal);
        continue;
      }
      if (last || !(await repeatable(response, mutation))) return response;
      // Free the connection before waiting.
      await response.body?.cancel().catch(() => undefined);
      await sleep(backoff(opts.retry, attempt, response.headers.get('retry-after')), request.signal);
    }
  };
}

async function repeatable(response: Response, mutation: boolean): Promise<boolean> {
  if (response.status === 503) return true;
  if (response.status !== 409 || !mutation) return false;
  try {
    const body = (await response.clone().json()) as { code?: unknown };
    return body.code === IN_FLIGHT;
  } catch {
    return false;
  }
}

/** Exponential backoff with jitter (half fixed, half random), or the server's `Retry-After`, capped. */
export function backoff(retry: Required<RetryOptions>, attempt: number, retryAfter?: string | null): number {
  const seconds = retryAfter ? Number(retryAfter) : Number.NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, retry.maxDelayMs);
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
