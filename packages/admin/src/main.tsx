import { BackroomError } from '@backroom/client';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { setNonce } from 'get-nonce';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { forgetSession } from './api/session';
import { getSessionToken } from './api/token';
import { ToastProvider } from './components/ui';
import { router } from './router';
import './styles.css';

// The server's CSP allows <style> elements only with this answer's nonce; Radix's scroll lock adds one.
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;
if (nonce && nonce !== '__CSP_NONCE__') setNonce(nonce);

/**
 * Any call answered 401 (the session expired or was revoked): sign out and go to sign-in, keeping where the member
 * was (`?next=`). 403 MFA_ENROLMENT_REQUIRED: the role requires MFA first.
 */
function onApiError(error: unknown) {
  if (!(error instanceof BackroomError)) return;
  const path = router.state.location.pathname;
  if (error.status === 401 && getSessionToken()) {
    forgetSession(queryClient);
    const next = router.state.location.href;
    void router.navigate({ to: '/sign-in', search: { next } as never });
  } else if (error.code === 'MFA_ENROLMENT_REQUIRED' && path !== '/mfa-setup') {
    void router.navigate({ to: '/mfa-setup' });
  }
}

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onApiError }),
  mutationCache: new MutationCache({ onError: onApiError }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // The client already repeats what is safe to repeat; a 4xx is an answer.
      retry: (count, error) => !(error instanceof BackroomError && error.status > 0 && error.status < 500) && count < 1,
      refetchOnWindowFocus: true,
    },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <RouterProvider router={router} />
      </ToastProvider>
    </QueryClientProvider>
  </StrictMode>,
);
