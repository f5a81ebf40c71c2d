import type { Permission } from './permissions.js';

/** Who is calling, resolved once per request from the `Authorization` header. */
export type Principal =
  | { type: 'anonymous' }
  | { type: 'customer'; id: string; sessionId: string }
  | {
      type: 'staff';
      id: string;
      sessionId: string;
      roleId: string;
      permissions: ReadonlySet<Permission>;
      /** The role is in `MFA_REQUIRED_ROLES`. */
      mfaRequired: boolean;
      mfaEnabled: boolean;
    }
  | { type: 'api_key'; id: string; permissions: ReadonlySet<Permission> };

/**
 * What a route requires, declared on every `/v1` route as `config: { auth }`:
 * - `'public'`: anyone (a valid credential is still resolved, a bad one is refused);
 * - `'customer'`: a signed-in customer (their own data only — handlers scope by `principal.id`);
 * - `'staff'`: any signed-in staff member (their own profile, MFA enrolment);
 * - `{ permission }`: staff or a secret key holding that permission.
 */
export type RouteAuth = 'public' | 'customer' | 'staff' | { permission: Permission };

export const anonymous: Principal = { type: 'anonymous' };
