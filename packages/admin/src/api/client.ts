import { createBackroomClient } from '@backroom/client';
import { getSessionToken } from './token';

/**
 * The app's one API client: every call goes through it (never `fetch`), with the staff token from sessionStorage,
 * an Idempotency-Key on every mutation and safe retries. Same origin: the server serves this app at /admin.
 */
export const api = createBackroomClient({ baseUrl: location.origin, getSessionToken });
