import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { Dialog as D } from 'radix-ui';
import { lazy, Suspense, useEffect, useState } from 'react';
import { takeDeliberateSignOut, useSession } from '../api/session';
import { Button, Spinner } from '../components/ui';
import { navItems } from './nav';

// The palette (cmdk) loads on first use, keeping it out of the initial bundle.
const CommandPalette = lazy(() => import('../palette/CommandPalette'));

function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const { permissions } = useSession();
  return (
    <ul className="space-y-0.5">
      {navItems
        .filter((item) => !item.permission || permissions.has(item.permission))
        .map((item) => (
          <li key={item.to}>
            <Link
              to={item.to}
              onClick={onNavigate}
              activeOptions={{ exact: item.to === '/' }}
              className="block rounded-md px-3 py-2 text-sm font-medium text-gray-700 hover:bg-gray-100 hover:text-gray-900 data-[status=active]:bg-accent-50 data-[status=active]:text-accent-800"
            >
              {item.label}
            </Link>
          </li>
        ))}
    </ul>
  );
}

/** The signed-in shell: sidebar (a drawer on phones), header with the member and sign out, the command palette. */
export function AppLayout() {
  const session = useSession();
  const navigate = useNavigate();
  const location = useRouterState({ select: (s) => s.location });
  const [drawer, setDrawer] = useState(false);
  const [palette, setPalette] = useState(false);

  useEffect(() => {
    // This layout stays mounted while the sign-in page loads: the location is already the sign-in page's then, and
    // redirecting again would nest ?next= into itself on every render.
    const leaving = location.pathname === '/sign-in' || location.pathname === '/mfa-setup';
    if (leaving) return;
    if (session.status === 'mfa-enrolment') void navigate({ to: '/mfa-setup' });
    if (session.status === 'signed-out') {
      const search = takeDeliberateSignOut() ? {} : { next: location.href };
      void navigate({ to: '/sign-in', search: search as never, replace: true });
    }
  }, [session.status, navigate, location.href, location.pathname]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setPalette((open) => !open);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (session.status !== 'signed-in') {
    return (
      <div className="flex min-h-screen items-center justify-center">
        <Spinner label="Signing in" />
      </div>
    );
  }
  const me = session.me;

  return (
    <div className="min-h-screen md:grid md:grid-cols-[15rem_1fr]">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:p-2"
      >
        Skip to content
      </a>
      <aside className="hidden border-r border-gray-200 bg-white md:block">
        <div className="sticky top-0 flex h-screen flex-col p-3">
          <Link to="/" className="mb-4 px-3 py-2 text-lg font-semibold text-gray-900">
            Backroom
          </Link>
          <nav aria-label="Main">
            <NavLinks />
          </nav>
        </div>
      </aside>
      <div className="flex min-w-0 flex-col">
        <header className="sticky top-0 z-20 flex h-14 items-center gap-2 border-b border-gray-200 bg-white px-3 md:px-6">
          <D.Root open={drawer} onOpenChange={setDrawer}>
            <D.Trigger asChild>
              <Button variant="ghost" className="md:hidden" aria-label="Open menu">
                <span aria-hidden="true" className="text-lg leading-none">
                  ☰
                </span>
              </Button>
            </D.Trigger>
            <D.Portal>
              <D.Overlay className="fixed inset-0 z-40 bg-gray-900/40" />
              <D.Content className="fixed inset-y-0 left-0 z-50 w-72 max-w-[85vw] overflow-y-auto bg-white p-3 shadow-xl">
                <D.Title className="mb-3 px-3 py-2 text-lg font-semibold">Backroom</D.Title>
                <D.Description className="sr-only">Main navigation</D.Description>
                <nav aria-label="Main">
                  <NavLinks onNavigate={() => setDrawer(false)} />
                </nav>
              </D.Content>
            </D.Portal>
          </D.Root>
          <Link to="/" className="text-base font-semibold md:hidden">
            Backroom
          </Link>
          <Button variant="secondary" size="sm" className="ml-auto md:ml-0" onClick={() => setPalette(true)}>
            <span>Search</span>
            <kbd className="hidden rounded border border-gray-300 px-1 text-xs text-gray-600 sm:inline">Ctrl K</kbd>
          </Button>
          <div className="ml-2 hidden min-w-0 text-right text-sm md:ml-auto md:block">
            <div className="truncate font-medium text-gray-900">{me?.name ?? me?.email}</div>
            <div className="truncate text-gray-600">{me?.role.name}</div>
          </div>
          <Link to="/account" className="rounded-md px-2 py-1 text-sm font-medium text-accent-700 hover:underline">
            Account
          </Link>
          <Button variant="ghost" size="sm" onClick={() => void session.signOut()}>
            Sign out
          </Button>
        </header>
        <main id="main" className="mx-auto w-full max-w-7xl min-w-0 flex-1 px-4 py-5 md:px-6">
          <Suspense
            fallback={
              <div className="flex justify-center p-10">
                <Spinner />
              </div>
            }
          >
            <Outlet />
          </Suspense>
        </main>
      </div>
      {palette ? (
        <Suspense fallback={null}>
          <CommandPalette open={palette} onOpenChange={setPalette} />
        </Suspense>
      ) : null}
    </div>
  );
}
