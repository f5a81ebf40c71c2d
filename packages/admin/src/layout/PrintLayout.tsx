import { Outlet, useNavigate } from '@tanstack/react-router';
import { Suspense, useEffect } from 'react';
import { useSession } from '../api/session';
import { Spinner } from '../components/ui';

/** Printable pages (the packing slip): no chrome, white paper; still needs a signed-in member. */
export function PrintLayout() {
  const session = useSession();
  const navigate = useNavigate();
  useEffect(() => {
    if (session.status === 'signed-out') void navigate({ to: '/sign-in', replace: true });
    if (session.status === 'mfa-enrolment') void navigate({ to: '/mfa-setup' });
  }, [session.status, navigate]);
  if (session.status !== 'signed-in') return <Spinner />;
  return (
    <main className="mx-auto max-w-3xl bg-white p-6 print:p-0">
      <Suspense fallback={<Spinner />}>
        <Outlet />
      </Suspense>
    </main>
  );
}
