import type { Queryable } from '../../platform/db/database.js';
import { type Permission, rolePermissions } from './permissions.js';

/**
 * The email addresses of active staff whose role grants `permission` (built-in roles from code, custom
 * roles from their stored list), e.g. who to tell that a webhook endpoint was disabled. Sorted, distinct.
 */
export async function staffWithPermission(db: Queryable, permission: Permission): Promise<string[]> {
  const rows = await db
    .selectFrom('staff_user as s')
    .innerJoin('role as r', 'r.id', 's.role_id')
    .select(['s.email', 'r.id as role_id', 'r.permissions'])
    .where('s.status', '=', 'active')
    .orderBy('s.email')
    .execute();
  const emails = rows
    .filter((r) => rolePermissions({ id: r.role_id, permissions: r.permissions }).includes(permission))
    .map((r) => r.email);
  return [...new Set(emails)];
}
