import type { paths } from '@backroom/client';
import { api } from '../../../api/client';
import type { DescribedError } from '../../../api/errors';

export type StaffMember =
  paths['/v1/admin/staff']['get']['responses']['200']['content']['application/json']['data'][number];
export type Role = paths['/v1/admin/roles']['get']['responses']['200']['content']['application/json']['data'][number];

export const teamKeys = {
  staff: ['team', 'staff'] as const,
  roles: ['team', 'roles'] as const,
};

export const idempotent = (idempotencyKey: string) => ({ headers: { 'Idempotency-Key': idempotencyKey } });

export async function fetchStaff(signal?: AbortSignal) {
  return (await api.GET('/v1/admin/staff', { params: { query: { limit: 100 } }, signal })).data;
}

export async function fetchRoles(signal?: AbortSignal) {
  return (await api.GET('/v1/admin/roles', { signal })).data;
}

/**
 * The API's anti-escalation rules (src/modules/identity/staff.actor.ts), in words, for the refusal a member just
 * met: nobody hands out a permission they do not hold, only owners touch the owner role, nobody changes their own
 * role or status, and the shop keeps an active owner. Undefined for any other error.
 */
export function refusalReason(error: DescribedError): string | undefined {
  switch (error.code) {
    case 'OWNER_ONLY':
      return 'Only an owner can give someone the owner role, or change or remove an owner. Ask one of the shop’s owners to do this.';
    case 'PERMISSION_DENIED':
      return 'You can only give roles (and permissions) that your own role already has, so nobody can hand out more access than they hold themselves.';
    case 'CANNOT_CHANGE_SELF':
      return 'Nobody changes their own role or status, so a member cannot raise their own access; another staff manager can.';
    case 'LAST_OWNER':
      return 'The shop must always keep at least one active owner: give someone else the owner role first.';
    default:
      return undefined;
  }
}
