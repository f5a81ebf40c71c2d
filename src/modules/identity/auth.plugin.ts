import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { PUBLISHABLE_KEY_HEADER } from '../../platform/http/sales-channel.js';
import { actorOf } from './audit.js';
import {
  InvalidCredentialsError,
  InvalidPublishableKeyError,
  PermissionDeniedError,
  UnauthenticatedError,
} from './identity.errors.js';
import './identity.tables.js';
import { MfaEnrolmentRequiredError } from './mfa.errors.js';
import { rolePermissions } from './permissions.js';
import { anonymous, type Principal, type RouteAuth } from './principal.js';
import { hashToken, tokenKind } from './tokens.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** Open to a staff member who must enrol in MFA but has not yet (enrolment, profile, logout). */
    mfaEnrolment?: boolean;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

/** Routes outside `/v1` (health, metrics, docs) are operational and need no declaration. */
export const isApiRoute = (url: string) => url.startsWith('/v1/');

/** Sessions slide: each use pushes expiry out, but we write `last_seen_at` at most once a minute. */
const SLIDE_WRITE_INTERVAL_MS = 60_000;
export const sessionTtl = { customer: 30 * 24 * 3600, staff: 12 * 3600 } as const;

export interface ResolveOptions {
  /** Role ids whose staff must enrol in MFA (`MFA_REQUIRED_ROLES`). */
  mfaRequiredRoles?: readonly string[];
}

async function resolveSession(db: Db, tokenHash: string, opts: ResolveOptions): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('auth_session as s')
    .leftJoin('staff_user as st', (j) => j.onRef('st.id', '=', 's.subject_id').on('s.subject_type', '=', 'staff'))
    .leftJoin('role as r', 'r.id', 'st.role_id')
    .select([
      's.id',
      's.subject_type',
      's.subject_id',
      's.last_seen_at',
      's.mfa_verified',
      'st.status as staff_status',
      'st.mfa_enabled_at',
      'r.id as role_id',
      'r.permissions as role_permissions',
    ])
    .where('s.token_hash', '=', tokenHash)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (!row) return undefined;
  if (Date.now() - row.last_seen_at.getTime() > SLIDE_WRITE_INTERVAL_MS) {
    const ttl = sessionTtl[row.subject_type];
    await db
      .updateTable('auth_session')
      .set({ last_seen_at: sql`now()`, expires_at: sql`now() + make_interval(secs => ${ttl})` })
      .where('id', '=', row.id)
      .execute();
  }
  if (row.subject_type === 'customer') return { type: 'customer', id: row.subject_id, sessionId: row.id };
  if (row.staff_status !== 'active' || !row.role_id) return undefined;
  // A session opened before MFA was turned on never proved a second factor: it stops working
  // (enrolment also revokes such sessions; this holds even if one slipped through).
  if (row.mfa_enabled_at !== null && !row.mfa_verified) return undefined;
  return {
    type: 'staff',
    id: row.subject_id,
    sessionId: row.id,
    roleId: row.role_id,
    permissions: new Set(rolePermissions({ id: row.role_id, permissions: row.role_permissions ?? [] })),
    mfaRequired: (opts.mfaRequiredRoles ?? []).includes(row.role_id),
    mfaEnabled: row.mfa_enabled_at !== null,
  };
}

async function resolveSecretKey(db: Db, tokenHash: string): Promise<Principal | undefined> {
  // One statement validates the key and records its use; a revoked key fails on the very next
  // request on every node because nothing is cached.
  const row = await sql<{ id: string; permissions: string[] }>`
    update api_key set last_used_at = now()
     where token_hash = ${tokenHash} and kind = 'secret' and revoked_at is null
       and (expires_at is null or expires_at > now())
    returning id, permissions`.execute(db);
  const key = row.rows[0];
  if (!key) return undefined;
  return {
    type: 'api_key',
    id: key.id,
    permissions: new Set(rolePermissions({ id: '', permissions: key.permissions })),
  };
}

/**
 * The sales channel a publishable key pins (null: the default channel). Not cached, so a revoked key stops working on the
 * next request on every node; it runs only when the header is sent, and `last_used_at` is not
 * written (storefront traffic would turn every page view into a write).
 */
export async function resolvePublishableKey(db: Db, key: string): Promise<string | null> {
  if (tokenKind(key) !== 'pk') throw new InvalidPublishableKeyError();
  const row = await db
    .selectFrom('api_key')
    .select('sales_channel_id')
    .where('token_hash', '=', hashToken(key))
    .where('kind', '=', 'publishable')
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst();
  if (!row) throw new InvalidPublishableKeyError();
  return row.sales_channel_id;
}

export async function resolvePrincipal(
  db: Db,
  authorization: string | undefined,
  opts: ResolveOptions = {},
): Promise<Principal> {
  if (!authorization) return anonymous;
  const m = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!m?.[1]) throw new InvalidCredentialsError();
  const token = m[1];
  const kind = tokenKind(token);
  const principal =
    kind === 'sess'
      ? await resolveSession(db, hashToken(token), opts)
      : kind === 'sk'
        ? await resolveSecretKey(db, hashToken(token))
        : undefined;
  if (!principal) throw new InvalidCredentialsError();
  return principal;
}

/**
 * Throws unless `principal` may use a route that requires `auth`. A staff member whose role
 * requires MFA and who has not enrolled may only use routes marked `mfaEnrolment`.
 */
export function authorize(principal: Principal, auth: RouteAuth, route: { mfaEnrolment?: boolean } = {}): void {
  if (auth === 'public') return;
  if (principal.type === 'anonymous') throw new UnauthenticatedError();
  if (principal.type === 'staff' && principal.mfaRequired && !principal.mfaEnabled && !route.mfaEnrolment) {
    throw new MfaEnrolmentRequiredError();
  }
  if (auth === 'customer') {
    if (principal.type !== 'customer') throw new PermissionDeniedError();
    return;
  }
  if (auth === 'staff') {
    if (principal.type !== 'staff') throw new PermissionDeniedError();
    return;
  }
  if (principal.type === 'customer' || !principal.permissions.has(auth.permission)) {
    throw new PermissionDeniedError(auth.permission);
  }
}

/**
 * Authentication and authorization for every `/v1` route, in `onRequest` — before the body is
 * parsed and before idempotency replays, so a refused caller learns nothing. A `/v1` route without
 * a declared `auth` fails at start-up, so no route can be forgotten.
 */
export function registerAuth(app: FastifyInstance, deps: { db: Db; mfaRequiredRoles?: readonly string[] }) {
  // Fastify refuses object defaults on decorators (they would be shared); each request sets its own.
  app.decorateRequest('principal', null as never);
  app.decorateRequest('actor', null as never);
  app.decorateRequest('salesChannelId', null);
  app.addHook('onRoute', (route) => {
    if (isApiRoute(route.url) && route.config?.auth === undefined) {
      throw new Error(`route ${route.method} ${route.url} declares no auth (config.auth)`);
    }
  });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    request.principal = anonymous;
    request.actor = actorOf(anonymous);
    request.salesChannelId = null;
    const auth = request.routeOptions.config.auth;
    if (auth === undefined) return;
    request.principal = await resolvePrincipal(deps.db, request.headers.authorization, {
      mfaRequiredRoles: deps.mfaRequiredRoles ?? [],
    });
    request.actor = actorOf(request.principal);
    authorize(request.principal, auth, request.routeOptions.config);
    // Storefront routes: the publishable key picks the sales channel (none → the default channel).
    const publishable = request.headers[PUBLISHABLE_KEY_HEADER];
    if (typeof publishable === 'string' && publishable !== '' && request.url.startsWith('/v1/store/')) {
      request.salesChannelId = await resolvePublishableKey(deps.db, publishable);
    }
  });
}
