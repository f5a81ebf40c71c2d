/**
 * The staff session token, kept in `sessionStorage` only: closing the tab ends it, other tabs and sites never see
 * it, and no cookie means no cross-site request can carry it. Never localStorage, never a cookie.
 */
const KEY = 'backroom.admin.token';
const listeners = new Set<() => void>();

function read(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    // Storage can be disabled (privacy modes): the session then lives in memory for this page only.
    return memory;
  }
}

let memory: string | undefined;
let current = read();

export function getSessionToken(): string | undefined {
  return current;
}

export function setSessionToken(token: string | undefined): void {
  current = token;
  memory = token;
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // memory only, see read()
  }
  for (const listener of listeners) listener();
}

export function subscribeToken(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
