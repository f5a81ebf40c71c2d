import { CATALOG_CHANGED_CHANNEL } from '../../src/modules/catalog/index.js';
import { newStatementScope, runWithStatementScope } from '../../src/platform/db/query-stats.js';
import type { TestApp } from '../support/app.js';
import type { TestDb } from '../support/db.js';

/** Storefront helpers shared by the storefront, search and cache tests. */

export interface Money {
  amount: number;
  currency: string;
}
export interface StoreVariant {
  id: string;
  price: Money | null;
  compareAtPrice: Money | null;
  availability: string;
  available?: number | null;
}
export interface StoreProduct {
  id: string;
  handle: string;
  title: string;
  currency: string | null;
  priceRange: { min: Money; max: Money } | null;
  availability: string;
  variants: StoreVariant[];
  categories: { id: string }[];
  collections: { id: string }[];
  options: { name: string; values: string[] }[];
}
export interface StoreList {
  data: StoreProduct[];
  nextCursor: string | null;
  total: number;
}

/** Runs `fn` and counts the SQL statements it sent (BEGIN/COMMIT included). */
export async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; count: number; sql: string[] }> {
  const scope = newStatementScope();
  // Awaited inside the scope: inject() returns a lazy thenable that dispatches when awaited.
  const result = await runWithStatementScope(scope, async () => await fn());
  return { result, count: scope.count, sql: scope.statements };
}

export function storeGet(t: TestApp, url: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url, headers });
}

/** GET a list URL, expecting 200. */
export async function list(t: TestApp, query: string, headers: Record<string, string> = {}): Promise<StoreList> {
  const res = await storeGet(t, `/v1/store/products?${query}`, headers);
  if (res.statusCode !== 200) throw new Error(`${query}: ${res.statusCode} ${res.body}`);
  return res.json<StoreList>();
}

/** Titles of a list, in order. */
export const titles = async (t: TestApp, query: string, headers: Record<string, string> = {}) =>
  (await list(t, query, headers)).data.map((p) => p.title);

/** Every page of a listing, following nextCursor (or offset), as product ids. */
export async function allPages(t: TestApp, query: string, limit: number, mode: 'cursor' | 'offset'): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const paging = mode === 'cursor' ? (cursor ? `&cursor=${cursor}` : '') : `&offset=${page * limit}`;
    const res = await list(t, `${query}&limit=${limit}${paging}`);
    ids.push(...res.data.map((p) => p.id));
    cursor = res.nextCursor;
    if (!res.nextCursor) return ids;
  }
  throw new Error('paging did not end');
}

/**
 * Listens now; the function it returns resolves when the next catalog_changed notification has reached this process
 * (every instance's cache listens on the same channel, and listeners run in order), or fails after 5 s.
 */
export async function nextCatalogNotification(db: TestDb): Promise<() => Promise<void>> {
  let arrived!: () => void;
  const promise = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const stop = await db.listen(CATALOG_CHANGED_CHANNEL, () => arrived());
  return async () => {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no notification')), 5000));
    try {
      await Promise.race([promise, timeout]);
    } finally {
      await stop();
    }
  };
}
