import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { jsonb } from '../db/json.js';
import { AppError, ConflictError } from '../errors.js';
import { sendProblem } from './error-handler.js';
import { isUnguessableKey } from './idempotency-key.js';
import './idempotency.tables.js';
import './sales-channel.js';

/**
 * `Idempotency-Key` for mutating routes, stored in PostgreSQL so it holds across nodes.
 *
 * - The first request with a key claims it (`in_flight`, with a lease) and runs.
 * - Its response — success or 4xx problem — is stored and replayed for the same key and the same
 *   request for `ttlHours`, with `idempotent-replayed: true`.
 * - The same key with a different method, path, query or body → 422 `IDEMPOTENCY_KEY_REUSED`.
 * - The same key while the first is still running → 409 `IDEMPOTENCY_REQUEST_IN_PROGRESS`.
 * - A 5xx is not stored: the key is released so a retry runs again (a 5xx means the command's
 *   transaction did not commit). Nor are refusals about the caller rather than the command
 *   (401, 403, 408, 429): a retry once signed in, allowed or under the rate limit must run.
 * - A claim whose lease ran out (its process crashed) is taken over by a retry of the same request;
 *   each claim is fenced by its `created_at`, so a late finisher cannot complete or release the
 *   claim that replaced it.
 * Keys are scoped so that a replay never hands one caller's response to another (`scopeFor`):
 * - a signed-in caller or API key: its own keys (`scopeOf`: the principal; else a hash of the credential);
 * - anonymous, on a route whose path names a resource (`/v1/store/carts/{id}/lines`): that path, in the
 *   caller's sales channel. Whoever knows a guest cart's id can already read and change it; whoever does not
 *   can never reach its stored responses, whatever key they send;
 * - anonymous, creating or naming nothing (`POST /v1/store/carts`, `POST /v1/store/customers`): the sales
 *   channel and the client's address (hashed; `request.ip`, so behind a proxy only with TRUST_PROXY). The key
 *   is what keeps the response private, so it must carry ≥ 128 bits of randomness (a UUID v4, 22+ base64url
 *   characters); a guessable one → 400 `IDEMPOTENCY_KEY_TOO_WEAK`. The address is a second wall for a key that
 *   leaked; its cost is that a retry from a new address runs again instead of replaying.
 * Requests refused before the claim (schema validation, 404) never touch the table.
 *
 * Routes opt out with `config: { idempotency: false }` (e.g. login, whose response is a secret
 * that must not be stored in clear).
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    idempotency?: boolean;
  }
}

export interface IdempotencyOptions {
  db: Db;
  ttlHours: number;
  /** How long a claim blocks duplicates before a crashed request's key can be taken over. */
  leaseSeconds?: number;
  /** The resolved caller; `undefined` falls back to a hash of the Authorization header, or anonymous. */
  scopeOf?: (request: FastifyRequest) => string | undefined;
}

const HEADER = 'idempotency-key';
const KEY = /^[\x21-\x7e]{1,255}$/;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'];
/** Statuses about the caller, not the command's outcome: never stored. */
const NOT_STORED = new Set([401, 403, 408, 429]);

const claimed = Symbol('idempotencyClaim');
interface Claim {
  scope: string;
  key: string;
  /** `created_at` of our claim in epoch microseconds (a Date would drop them): the fencing token. */
  claimedAt: number;
}
type WithClaim = FastifyRequest & { [claimed]?: Claim };

const claimMicros = sql<number>`(extract(epoch from created_at) * 1000000)::int8`;

function credentialScope(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  return auth ? `cred:${createHash('sha256').update(auth).digest('base64url')}` : undefined;
}

/** The scope of an anonymous request (see the rules above), or null when its key is too weak to be one. */
function anonymousScope(request: FastifyRequest, key: string): string | null {
  const channel = `anonymous:${request.salesChannelId ?? 'default'}`;
  const params = request.params;
  const namesResource = params !== null && typeof params === 'object' && Object.keys(params).length > 0;
  // Hashed: the scope is part of the primary key (bounded size), and addresses are personal data.
  if (namesResource) return `${channel}:path:${digest(request.url.split('?')[0] ?? '')}`;
  if (!isUnguessableKey(key)) return null;
  return `${channel}:ip:${digest(request.ip)}`;
}

const digest = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 22);

class WeakIdempotencyKeyError extends AppError {
  constructor() {
    super(400, 'IDEMPOTENCY_KEY_TOO_WEAK', 'Idempotency key too weak', {
      detail:
        'Without credentials, Idempotency-Key is all that keeps this response private: send a random key of at ' +
        'least 128 bits, such as a UUID v4 or 22 base64url characters.',
      errors: [
        { path: '/headers/idempotency-key', message: 'must carry at least 128 bits of randomness (e.g. a UUID v4)' },
      ],
    });
  }
}

/** Stable JSON: object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** Method, path with query, and body: any difference makes it a different request. */
function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${canonical(request.body ?? null)}`)
    .digest('hex');
}

interface ExistingRow {
  request_hash: string;
  status: 'in_flight' | 'completed';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
}

export function registerIdempotency(app: FastifyInstance, opts: IdempotencyOptions) {
  const leaseSeconds = opts.leaseSeconds ?? 60;
  const callerOf = (request: FastifyRequest) => opts.scopeOf?.(request) ?? credentialScope(request);

  app.addHook('preHandler', async (request: WithClaim, reply: FastifyReply) => {
    if (!MUTATING.has(request.method) || request.is404 || request.routeOptions.config.idempotency === false) return;
    const key = request.headers[HEADER];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY.test(key)) {
      return sendProblem(
        reply,
        request,
        new AppError(400, 'VALIDATION_FAILED', 'Validation failed', {
          detail: 'Idempotency-Key must be 1–255 visible ASCII characters.',
          errors: [{ path: '/headers/idempotency-key', message: 'must be 1–255 visible ASCII characters' }],
        }),
      );
    }
    const scope = callerOf(request) ?? anonymousScope(request, key);
    if (scope === null) return sendProblem(reply, request, new WeakIdempotencyKeyError());
    const hash = requestHash(request);

    // One statement claims a new key, an expired one, or an abandoned in-flight one (lease over).
    const claim = await sql<{ claimed_at: number }>`
      insert into idempotency_key (scope, key, request_hash, method, path, status, locked_until, expires_at)
      values (${scope}, ${key}, ${hash}, ${request.method}, ${request.url.split('?')[0]}, 'in_flight',
              now() + make_interval(secs => ${leaseSeconds}), now() + make_interval(hours => ${opts.ttlHours}))
      on conflict (scope, key) do update
         set request_hash = excluded.request_hash, method = excluded.method, path = excluded.path,
             status = 'in_flight', locked_until = excluded.locked_until, expires_at = excluded.expires_at,
             response_status = null, response_headers = null, response_body = null, created_at = now()
       where idempotency_key.expires_at <= now()
          or (idempotency_key.status = 'in_flight' and idempotency_key.locked_until <= now()
              and idempotency_key.request_hash = excluded.request_hash)
      returning ${claimMicros} as claimed_at`.execute(opts.db);
    const claimedAt = claim.rows[0]?.claimed_at;
    if (claimedAt !== undefined) {
      request[claimed] = { scope, key, claimedAt };
      return;
    }

    const existing = await opts.db
      .selectFrom('idempotency_key')
      .select(['request_hash', 'status', 'response_status', 'response_headers', 'response_body'])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    const row = existing as ExistingRow | undefined;
    if (!row) {
      // Released (5xx) between our two statements: treat like in flight; the client retries.
      return sendProblem(reply, request, inProgress());
    }
    if (row.request_hash !== hash) {
      return sendProblem(
        reply,
        request,
        new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'Idempotency key reused', {
          detail: 'This Idempotency-Key was already used with a different request. Use a new key for a new request.',
        }),
      );
    }
    if (row.status === 'in_flight') return sendProblem(reply, request, inProgress());
    for (const [name, value] of Object.entries(row.response_headers ?? {})) reply.header(name, value);
    reply.header('idempotent-replayed', 'true');
    return reply.code(row.response_status ?? 200).send(row.response_body ?? '');
  });

  app.addHook('onSend', async (request: WithClaim, reply, payload) => {
    const claim = request[claimed];
    if (!claim) return payload;
    request[claimed] = undefined;
    const where = sql`scope = ${claim.scope} and key = ${claim.key} and status = 'in_flight'
      and ${claimMicros} = ${claim.claimedAt}`;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null;
    try {
      if (reply.statusCode >= 500 || NOT_STORED.has(reply.statusCode) || body === null) {
        await sql`delete from idempotency_key where ${where}`.execute(opts.db);
        return payload;
      }
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const v = reply.getHeader(name);
        if (v !== undefined) headers[name] = String(v);
      }
      await sql`
        update idempotency_key
           set status = 'completed', locked_until = null, response_status = ${reply.statusCode},
               -- via text: postgres.js would JSON-encode a string bound straight to jsonb a second time
               response_headers = ${jsonb(headers)}, response_body = ${body}
         where ${where}`.execute(opts.db);
    } catch (err) {
      // The command already ran; failing the response now would make the client retry it.
      request.log.error({ err }, 'could not store idempotent response; the key will free up when its lease ends');
    }
    return payload;
  });
}

function inProgress() {
  return new ConflictError(
    'IDEMPOTENCY_REQUEST_IN_PROGRESS',
    'A request with this Idempotency-Key is still being processed. Retry shortly.',
    { headers: { 'retry-after': '1' } },
  );
}

/** Deletes expired keys in bounded batches; run by the maintenance worker. */
export async function pruneIdempotencyKeys(db: Db, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await sql`
      delete from idempotency_key where ctid in (
        select ctid from idempotency_key where expires_at <= now() limit ${batch})`.execute(db);
    const n = Number(res.numAffectedRows ?? 0n);
    total += n;
    if (n < batch) return total;
  }
}
