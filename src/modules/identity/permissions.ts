/**
 * Permission strings, one per capability, and the built-in roles. Every admin route declares one
 * of these (see `auth.plugin.ts`); a test walks the routes to prove it.
 */
export const permissions = [
  'catalog:read',
  'catalog:write',
  'inventory:read',
  'inventory:adjust',
  'orders:read',
  'orders:write',
  'orders:fulfil',
  'orders:refund',
  'customers:read',
  'customers:write',
  /** Download everything held about a customer (orders, payments, sessions, audit): more than `customers:read` shows. */
  'customers:export',
  /** Erase a customer's personal data: irreversible, so owners and admins only unless a custom role grants it. */
  'customers:erase',
  'payments:manage',
  'settings:manage',
  'promotions:read',
  'promotions:write',
  'staff:read',
  'staff:manage',
  'keys:manage',
  'audit:read',
  'events:read',
  'events:manage',
  'webhooks:manage',
] as const;

export type Permission = (typeof permissions)[number];

export function isPermission(value: string): value is Permission {
  return (permissions as readonly string[]).includes(value);
}

const all: readonly Permission[] = permissions;
const reads = permissions.filter((p) => p.endsWith(':read'));

/** Built-in roles by id. Their permissions live here, not in the database, so upgrades extend them. */
export const builtinRoles: Record<string, readonly Permission[]> = {
  role_owner: all,
  role_admin: all,
  role_catalog_manager: ['catalog:read', 'catalog:write', 'inventory:read', 'inventory:adjust', 'orders:read'],
  role_fulfilment: ['orders:read', 'orders:fulfil', 'inventory:read', 'inventory:adjust', 'catalog:read'],
  role_support: ['orders:read', 'orders:write', 'orders:refund', 'customers:read', 'customers:write', 'catalog:read'],
  role_read_only: reads,
};

/** The permissions of a role row: built-ins from code, custom roles from their stored list. */
export function rolePermissions(role: { id: string; permissions: readonly string[] }): readonly Permission[] {
  return builtinRoles[role.id] ?? role.permissions.filter(isPermission);
}
