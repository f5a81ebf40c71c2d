import type { ReactNode } from 'react';
import { useSession } from '../api/session';

/** The member's role grants this permission. Hides what they may not do; the server still refuses it. */
export function useCan(permission: string | undefined): boolean {
  const { permissions } = useSession();
  return permission === undefined || permissions.has(permission);
}

/** Renders its children only when the signed-in member has the permission (else `fallback`). */
export function Can({
  permission,
  children,
  fallback = null,
}: {
  permission: string;
  children: ReactNode;
  fallback?: ReactNode;
}) {
  return useCan(permission) ? children : fallback;
}
