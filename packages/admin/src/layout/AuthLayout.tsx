import { Outlet } from '@tanstack/react-router';
import { Suspense } from 'react';
import { Spinner } from '../components/ui';

/** Sign-in pages: a centred card, no navigation. */
export function AuthLayout() {
  return (
    <main className="flex min-h-screen items-start justify-center px-4 py-10 sm:items-center">
      <div className="w-full max-w-md">
        <p className="mb-4 text-center text-xl font-semibold text-gray-900">Backroom</p>
        <div className="rounded-lg border border-gray-200 bg-white p-6 shadow-sm">
          <Suspense fallback={<Spinner />}>
            <Outlet />
          </Suspense>
        </div>
      </div>
    </main>
  );
}
