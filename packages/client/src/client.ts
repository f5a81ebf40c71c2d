import createClient, { type Client, type FetchResponse, type MaybeOptionalInit, type Middleware } from 'openapi-fetch';
import type { HttpMethod, MediaType, PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers';
import { errorFromResponse } from './errors.js';
import { notIdempotent } from './not-idempotent.js';
import type { paths } from './schema.js';
import { readEventStream, type StreamOptions } from './stream.js';
import { type RetryOptions, transport } from './transport.js';

export interface BackroomClientOptions {
  /** The API's origin, e.g. `https://shop.example.com` (paths in calls start with `/v1/…`). */
  baseUrl: string;
  /** A secret API key (`sk_…`), for servers only: sent as `Authorization: Bearer` when no session token is set. */
  secretKey?: string;
  /** A publishable key (`pk_…`): sent as `x-publishable-key` (picks the storefront's sales channel). */
  publishableKey?: string;
  /** A customer or staff session token to start with (`setSessionToken` and the login helpers change it). */
  sessionToken?: string;
  /** Asked before each request when no token was set (e.g. read from your app's storage). */
  getSessionToken?: () => string | undefined | Promise<string | undefined>;
  /** Another `fetch` (tests, proxies, instrumentation). Default: the global one. */
  fetch?: (request: Request) => Promise<Response>;
  /** Repeats of a request that got no answer or a 503 (see RetryOptions); a number is `{ retries }`. */
  retries?: number | RetryOptions;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

type InitParam<Init> =
  RequiredKeysOf<Init> extends never ? [(Init & { [key: string]: unknown })?] : [Init & { [key: string]: unknown }];

/** A successful call: the typed body of the 2xx answer (undefined for 204) and the answer itself (its headers). */
export interface Success<T extends Record<string | number, unknown>, Init> {
  data: Extract<FetchResponse<T, Init, MediaType>, { error?: never }>['data'];
  response: Response;
}

/**
 * One HTTP method, typed by our OpenAPI document like openapi-fetch's (`client.GET('/v1/store/products/{idOrHandle}',
 * { params: { path: { idOrHandle } } })`), but a failure is thrown as a `BackroomError` instead of returned, so
 * `data` is always the success body.
 */
export type BackroomMethod<M extends HttpMethod> = <
  P extends PathsWithMethod<paths, M>,
  Init extends MaybeOptionalInit<paths[P], M>,
>(
  url: P,
  ...init: InitParam<Init>
) => Promise<Success<paths[P][M] & Record<string | number, unknown>, Init>>;

export interface LoginAnswer {
  token: string;
  expiresAt: string;
}

export interface BackroomClient {
  GET: BackroomMethod<'get'>;
  POST: BackroomMethod<'post'>;
  PUT: BackroomMethod<'put'>;
  PATCH: BackroomMethod<'patch'>;
  DELETE: BackroomMethod<'delete'>;
  /**
   * The underlying openapi-fetch client (same credentials, idempotency keys and retries): returns `{ data, error,
   * response }` instead of throwing, and takes openapi-fetch middleware (`raw.use(…)`).
   */
  raw: Client<paths>;
  /** Sends this token (customer or staff session) as `Authorization: Bearer` from now on; `undefined` stops. */
  setSessionToken(token: string | undefined): void;
  /** Customer login (`POST /v1/store/auth/sessions`): keeps the new session token for later calls. */
  loginCustomer(input: { email: string; password: string }): Promise<LoginAnswer>;
  /**
   * Staff login (`POST /v1/admin/auth/sessions`): keeps the new session token. Without `code` on an account with
   * MFA it throws `BackroomError` with code `MFA_REQUIRED`: ask for the code and call again with it.
   */
  loginStaff(input: { email: string; password: string; code?: string }): Promise<LoginAnswer>;
  /** Ends the current customer session on the server and forgets the token. */
  logoutCustomer(): Promise<void>;
  /** Ends the current staff session on the server and forgets the token. */
  logoutStaff(): Promise<void>;
  /**
   * Reads a Server-Sent Events route (e.g. `/v1/admin/inventory/stream`) with this client's credentials and
   * reconnects with `Last-Event-ID` until `options.signal` aborts (see readEventStream). `path` may carry a query.
   */
  stream(path: string, options: StreamOptions): Promise<void>;
}

function retryOptions(retries: BackroomClientOptions['retries']): Required<RetryOptions> {
  const given = typeof retries === 'number' ? { retries } : (retries ?? {});
  return { retries: 2, baseDelayMs: 250, maxDelayMs: 5000, ...given };
}

type RawCall = (url: string, init?: object) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

function throwing<M extends HttpMethod>(raw: Client<paths>, method: Uppercase<M>): BackroomMethod<M> {
  const call = raw[method] as unknown as RawCall;
  const send = async (url: string, init?: object) => {
    const { data, error, response } = await call(url, init);
    if (!response.ok) throw errorFromResponse(response, error);
    return { data, response };
  };
  return send as unknown as BackroomMethod<M>;
}

/**
 * A typed client of the Backroom API (types generated from its OpenAPI document).
 *
 * Credentials: `secretKey` (servers), `publishableKey` (storefronts), and a customer or staff session token
 * (`sessionToken`, `getSessionToken`, `setSessionToken`, or the login helpers); the session token, when there is
 * one, is sent instead of the secret key. Every mutation carries an `Idempotency-Key`, and requests that got no
 * answer or a 503 are repeated safely (see `transport`), except the few mutations the server does not deduplicate
 * (not-idempotent.ts). Failures are thrown as `BackroomError`.
 */
export function createBackroomClient(options: BackroomClientOptions): BackroomClient {
  let sessionToken = options.sessionToken;
  const session = async () => sessionToken ?? (await options.getSessionToken?.());
  const common = {
    fetch: options.fetch ?? ((request: Request) => globalThis.fetch(request)),
    retry: retryOptions(options.retries),
    publishableKey: options.publishableKey,
  };
  // openapi-fetch knows the path template (`/v1/admin/webhook-endpoints`) only in middleware; the transport sees
  // the request it marked.
  const once = new WeakSet<Request>();
  const markOnce: Middleware = {
    onRequest({ request, schemaPath }) {
      if (notIdempotent.has(`${request.method} ${schemaPath}`)) once.add(request);
    },
  };
  const clientOf = (bearer: (() => Promise<string | undefined>) | undefined) => {
    const client = createClient<paths>({
      baseUrl: options.baseUrl,
      headers: options.headers,
      fetch: transport({ ...common, bearer, repeatable: (request) => !once.has(request) }),
    });
    client.use(markOnce);
    return client;
  };
  const raw = clientOf(async () => (await session()) ?? options.secretKey);
  // Login sends no bearer token: a stale session token would get the login refused with 401.
  const anonymous = clientOf(undefined);
  const login = throwing<'post'>(anonymous, 'POST');
  // Streams reconnect on their own (readEventStream): the transport adds credentials and never repeats.
  const streamTransport = transport({
    ...common,
    retry: { ...common.retry, retries: 0 },
    bearer: async () => (await session()) ?? options.secretKey,
  });
  const headers = options.headers ?? {};
  const DELETE = throwing<'delete'>(raw, 'DELETE');

  return {
    GET: throwing(raw, 'GET'),
    POST: throwing(raw, 'POST'),
    PUT: throwing(raw, 'PUT'),
    PATCH: throwing(raw, 'PATCH'),
    DELETE,
    raw,
    setSessionToken(token) {
      sessionToken = token;
    },
    async loginCustomer(body) {
      const { data } = await login('/v1/store/auth/sessions', { body });
      sessionToken = data.token;
      return data;
    },
    async loginStaff(body) {
      const { data } = await login('/v1/admin/auth/sessions', { body });
      sessionToken = data.token;
      return data;
    },
    async logoutCustomer() {
      await DELETE('/v1/store/auth/sessions/current');
      sessionToken = undefined;
    },
    async logoutStaff() {
      await DELETE('/v1/admin/auth/sessions/current');
      sessionToken = undefined;
    },
    stream(path, streamOptions) {
      const url = `${options.baseUrl.replace(/\/+$/, '')}${path}`;
      return readEventStream(
        (request) => {
          for (const [name, value] of Object.entries(headers)) {
            if (!request.headers.has(name)) request.headers.set(name, value);
          }
          return streamTransport(request);
        },
        url,
        streamOptions,
      );
    },
  };
}
