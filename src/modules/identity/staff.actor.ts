import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../../platform/db/database.js';
import { type AuditContext, auditContext } from './audit.js';
import { PermissionDeniedError } from './identity.errors.js';
import './identity.tables.js';
import { type Permission, rolePermissions } from './permissions.js';
import { OwnerOnlyError, RoleNotFoundError } from './staff.errors.js';

/**
 * Who is administering staff and roles, and the two rules that stop privilege escalation: nobody
 * hands out a permission they do not hold themselves, and only owners touch the owner role.
 */
export interface StaffActor {
  ctx: AuditContext;
  /** The acting staff member; null for a secret API key. */
  staffId: string | null;
  roleId: string | null;
  permissions: ReadonlySet<Permission>;
}

export const OWNER_ROLE_ID = 'role_owner';

export function staffActor(request: FastifyRequest): StaffActor {
  const p = request.principal;
  const ctx = auditContext(p, request);
  if (p.type === 'staff') return { ctx, staffId: p.id, roleId: p.roleId, permissions: p.permissions };
  if (p.type === 'api_key') return { ctx, staffId: null, roleId: null, permissions: p.permissions };
  return { ctx, staffId: null, roleId: null, permissions: new Set() };
}

/** Refuses (403 naming the permission) when `perms` holds anything the actor does not hold. */
export function assertMayGrant(actor: StaffActor, perms: readonly Permission[]): void {
  const missing = perms.find((p) => !actor.permissions.has(p));
  if (missing) throw new PermissionDeniedError(missing);
}

/** Granting, removing or changing the owner role is for owners (not admins, not keys). */
export function assertOwnerFor(actor: StaffActor, ...roleIds: (string | null | undefined)[]): void {
  if (roleIds.includes(OWNER_ROLE_ID) && actor.roleId !== OWNER_ROLE_ID) throw new OwnerOnlyError();
}

export interface RoleRef {
  id: string;
  name: string;
  builtin: boolean;
  permissions: readonly Permission[];
}

/** A role by id with its effective permissions; unknown → 404 naming `path` when it came from a body. */
export async function findRole(db: Queryable, id: string, path?: string): Promise<RoleRef> {
  const row = await db
    .selectFrom('role')
    .select(['id', 'name', 'builtin', 'permissions'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new RoleNotFoundError(id, path);
  return { id: row.id, name: row.name, builtin: row.builtin, permissions: rolePermissions(row) };
}
