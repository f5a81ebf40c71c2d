import type { paths } from '@backroom/client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { api } from './client';
import { getSessionToken, setSessionToken, subscribeToken } from './token';

export type Me = paths['/v1/admin/staff/me']['get']['responses']['200']['content']['application/json'];

export type SessionStatus = 'loading' | 'signed-out' | 'mfa-enrolment' | 'signed-in';

export interface Session {
  /** `loading` while the profile of a stored token is read. */
  status: SessionStatus;
  me: Me | undefined;
  permissions: ReadonlySet<string>;
  /** Keeps a token from a sign-in (sessionStorage only) and reads the profile. */
  signIn(token: string): Promise<Me>;
  /** Ends the server session (best effort) and forgets the token. */
  signOut(): Promise<void>;
}

export const meQueryKey = ['session', 'me'] as const;

/**
 * Set by a deliberate sign-out, read once by the signed-in layout: the sign-in page then opens without `?next=`, so
 * whoever signs in next in this tab starts at Home instead of the previous member's page. An expired session keeps
 * `next` (the same member signs in again and goes on where they were).
 */
let signedOutOnPurpose = false;
export function takeDeliberateSignOut(): boolean {
  const was = signedOutOnPurpose;
  signedOutOnPurpose = false;
  return was;
}
const NONE: ReadonlySet<string> = new Set();

/** Forgets the token and every cached answer (the next member must not see the last one's data). */
export function forgetSession(queryClient: { clear(): void }): void {
  setSessionToken(undefined);
  // The client keeps a token that loginStaff gave it; make sure only sessionStorage speaks.
  api.setSessionToken(undefined);
  queryClient.clear();
}

export async function fetchMe(): Promise<Me> {
  return (await api.GET('/v1/admin/staff/me')).data;
}

export function useSessionToken(): string | undefined {
  return useSyncExternalStore(subscribeToken, getSessionToken);
}

export function useSession(): Session {
  const token = useSessionToken();
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: meQueryKey, queryFn: fetchMe, enabled: token !== undefined, staleTime: 60_000 });

  const signIn = useCallback(
    async (newToken: string) => {
      queryClient.clear();
      api.setSessionToken(undefined);
      setSessionToken(newToken);
      return queryClient.fetchQuery({ queryKey: meQueryKey, queryFn: fetchMe });
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    signedOutOnPurpose = true;
    try {
      if (getSessionToken()) await api.DELETE('/v1/admin/auth/sessions/current');
    } catch {
      // Signed out here anyway: an expired session has nothing left to end.
    }
    forgetSession(queryClient);
  }, [queryClient]);

  const data = token ? me.data : undefined;
  const permissions = useMemo(() => (data ? new Set(data.permissions) : NONE), [data]);
  let status: SessionStatus = 'signed-out';
  if (token) {
    if (!data) status = 'loading';
    else status = data.mfaEnrolmentRequired ? 'mfa-enrolment' : 'signed-in';
  }
  return { status, me: data, permissions, signIn, signOut };
}
