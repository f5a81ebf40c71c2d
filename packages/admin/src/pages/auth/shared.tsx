import { createBackroomClient } from '@backroom/client';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { useCallback } from 'react';
import type { SearchParams } from '../../router';

/**
 * The signed-out pages' client: no session token, so a stale token left in this tab cannot turn a public call
 * (password reset, accepting an invitation) into a 401. Still the typed client, never `fetch`.
 */
export const publicApi = createBackroomClient({ baseUrl: location.origin });

const APP_BASE = '/admin';
const AUTH_PAGES = ['/sign-in', '/mfa-setup', '/forgot-password', '/reset-password', '/accept-invite'];

/**
 * Where to go after signing in, from `?next=`: a path inside this app only (never another site — no open redirect).
 * Accepts `/orders?x=1` (the router's own paths) and `/admin/orders?x=1` (a full app URL path); anything else,
 * including `//evil.example`, `https://…` and `/elsewhere` outside /admin when written with the prefix, gives home.
 * A `next` pointing at a sign-in page is unwrapped to its own `next` (a session that expired on the sign-in page).
 */
export function safeNext(next: string | undefined): string {
  let candidate = next;
  for (let depth = 0; depth < 4; depth++) {
    if (!candidate?.startsWith('/') || candidate.startsWith('//') || /[\\\s]/.test(candidate)) return '/';
    let url: URL;
    try {
      url = new URL(candidate, 'http://app.invalid');
    } catch {
      return '/';
    }
    if (url.origin !== 'http://app.invalid') return '/';
    let path = url.pathname;
    if (path === APP_BASE || path.startsWith(`${APP_BASE}/`)) path = path.slice(APP_BASE.length) || '/';
    if (AUTH_PAGES.includes(path)) {
      candidate = url.searchParams.get('next') ?? undefined;
      continue;
    }
    return `${path}${url.search}${url.hash}`;
  }
  return '/';
}

/** `?next=` of the current page, made safe (see safeNext). */
export function useNext(): string {
  const search = useSearch({ strict: false }) as SearchParams;
  return safeNext(search.next);
}

/** Goes to `next` inside the app (replacing the sign-in page in the history). */
export function useGoNext(): (next: string) => Promise<void> {
  const navigate = useNavigate();
  return useCallback((next: string) => navigate({ href: safeNext(next), replace: true }), [navigate]);
}

/** The heading and intro of a signed-out page. */
export function AuthHeading({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="mb-5">
      <h1 className="text-xl font-semibold text-gray-900">{title}</h1>
      {children ? <p className="mt-1 text-sm text-gray-700">{children}</p> : null}
    </div>
  );
}

/** A quiet link under a form (back to sign-in, forgot password…). */
export function AuthLink({ to, children, search }: { to: string; children: ReactNode; search?: SearchParams }) {
  return (
    <Link
      to={to as never}
      search={search as never}
      className="text-sm font-medium text-accent-700 underline-offset-2 hover:underline"
    >
      {children}
    </Link>
  );
}

/** A button that looks like the links under a form (switch to a recovery code, go back a step). */
export function LinkButton({ onClick, children }: { onClick: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      onClick={onClick}
      className="rounded text-sm font-medium text-accent-700 underline-offset-2 hover:underline"
    >
      {children}
    </button>
  );
}
