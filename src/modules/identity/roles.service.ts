import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { newId } from '../../platform/ids.js';
import { recordAudit } from './audit.js';
import './identity.tables.js';
import { permissions as allPermissions, type Permission, rolePermissions } from './permissions.js';
import { assertMayGrant, type StaffActor } from './staff.actor.js';
import { BuiltinRoleError, RoleInUseError, RoleNameTakenError, RoleNotFoundError } from './staff.errors.js';

/**
 * Roles: the six built-ins (permissions from code) and custom roles made by staff with
 * `staff:manage`. Nobody can create or edit a role to hold a permission they lack, or edit a role
 * that holds one they lack.
 */

export interface RoleView {
  id: string;
  name: string;
  description: string | null;
  builtin: boolean;
  permissions: Permission[];
  staffCount: number;
}

const NAME_CONSTRAINT = 'role_name_key';

/** Every role with its effective permissions and how many staff hold it; one statement. */
export async function listRoles(db: Db, onlyId?: string): Promise<RoleView[]> {
  let q = db
    .selectFrom('role as r')
    .leftJoin('staff_user as s', (j) => j.onRef('s.role_id', '=', 'r.id').on('s.status', '<>', 'disabled'))
    .select(['r.id', 'r.name', 'r.description', 'r.builtin', 'r.permissions'])
    .select((eb) => eb.fn.count<number>('s.id').as('staff_count'))
    .groupBy('r.id')
    .orderBy('r.builtin', 'desc')
    .orderBy('r.name');
  if (onlyId !== undefined) q = q.where('r.id', '=', onlyId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    builtin: r.builtin,
    permissions: [...rolePermissions(r)],
    staffCount: Number(r.staff_count),
  }));
}

export async function getRole(db: Db, id: string): Promise<RoleView> {
  const [role] = await listRoles(db, id);
  if (!role) throw new RoleNotFoundError(id);
  return role;
}

/** Keeps the stored list canonical: known permissions, no duplicates, in declaration order. */
const canonical = (perms: readonly string[]): Permission[] => allPermissions.filter((p) => perms.includes(p));

function rethrowNameTaken(err: unknown): never {
  if (err instanceof UniqueViolationError && err.constraint === NAME_CONSTRAINT) throw new RoleNameTakenError();
  throw err;
}

export interface NewRole {
  name: string;
  description?: string | null | undefined;
  permissions: Permission[];
}

export async function createRole(db: Db, actor: StaffActor, input: NewRole): Promise<RoleView> {
  const perms = canonical(input.permissions);
  assertMayGrant(actor, perms);
  const id = newId('role');
  try {
    await withTransaction(db, async (tx) => {
      await tx
        .insertInto('role')
        .values({ id, name: input.name.trim(), description: input.description ?? null, permissions: perms })
        .execute();
      await recordAudit(tx, actor.ctx, {
        action: 'role.created',
        targetType: 'role',
        targetId: id,
        changes: { name: input.name.trim(), permissions: perms },
      });
    });
  } catch (err) {
    rethrowNameTaken(err);
  }
  return getRole(db, id);
}

export interface RolePatch {
  name?: string | undefined;
  description?: string | null | undefined;
  permissions?: Permission[] | undefined;
}

/** Edits a custom role; its holders get the new permissions on their next request. */
export async function updateRole(db: Db, actor: StaffActor, id: string, patch: RolePatch): Promise<RoleView> {
  try {
    await withTransaction(db, async (tx) => {
      const role = await tx.selectFrom('role').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!role) throw new RoleNotFoundError(id);
      if (role.builtin) throw new BuiltinRoleError();
      assertMayGrant(actor, rolePermissions(role));
      const changes: Record<string, unknown> = {};
      const perms = patch.permissions === undefined ? undefined : canonical(patch.permissions);
      if (perms) assertMayGrant(actor, perms);
      if (perms && perms.join() !== role.permissions.join()) {
        changes.permissions = { from: role.permissions, to: perms };
      }
      if (patch.name !== undefined && patch.name.trim() !== role.name) {
        changes.name = { from: role.name, to: patch.name.trim() };
      }
      if (patch.description !== undefined && patch.description !== role.description) {
        changes.description = { from: role.description, to: patch.description };
      }
      if (Object.keys(changes).length === 0) return;
      await tx
        .updateTable('role')
        .set({
          ...(changes.permissions && perms ? { permissions: perms } : {}),
          ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .execute();
      await recordAudit(tx, actor.ctx, { action: 'role.updated', targetType: 'role', targetId: id, changes });
    });
  } catch (err) {
    rethrowNameTaken(err);
  }
  return getRole(db, id);
}

/** Deletes a custom role nobody holds (disabled members count: they could be re-enabled). */
export async function deleteRole(db: Db, actor: StaffActor, id: string): Promise<void> {
  await withTransaction(db, async (tx) => {
    const role = await tx.selectFrom('role').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!role) throw new RoleNotFoundError(id);
    if (role.builtin) throw new BuiltinRoleError();
    assertMayGrant(actor, rolePermissions(role));
    const holders = await tx
      .selectFrom('staff_user')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role_id', '=', id)
      .executeTakeFirstOrThrow();
    if (Number(holders.n) > 0) throw new RoleInUseError(Number(holders.n));
    await tx.deleteFrom('role').where('id', '=', id).execute();
    await recordAudit(tx, actor.ctx, {
      action: 'role.deleted',
      targetType: 'role',
      targetId: id,
      changes: { name: role.name, permissions: role.permissions },
    });
  });
}
