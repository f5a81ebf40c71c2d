import type { Unlisten } from '../../platform/db/create-db.js';
import { CATALOG_CHANGED_CHANNEL } from './read-model.js';

/**
 * In-process cache of storefront responses (lists and details), size-bounded (LRU) with a short
 * TTL as a safety net. Every document change is announced with `pg_notify('catalog_changed')`
 * inside the rebuilding transaction, so every node hears about it exactly when it commits; the
 * cache then drops everything (catalog writes are rare next to reads, and a changed product can
 * enter or leave any list, so finer invalidation would buy little).
 *
 * A read that started before an invalidation must not store its (possibly stale) result after
 * it: `set` takes the generation seen before the read and is ignored if a clear happened since.
 */
export class StorefrontCache {
  private readonly entries = new Map<string, { value: unknown; expiresAt: number }>();
  private gen = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries = 500,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The generation to pass to `set` for a value read from the database from now on. */
  get generation(): number {
    return this.gen;
  }

  get size(): number {
    return this.entries.size;
  }

  get<T>(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= this.now()) {
      if (entry) this.entries.delete(key);
      this.misses += 1;
      return undefined;
    }
    // Re-insert: Map keeps insertion order, so the first key is always the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits += 1;
    return entry.value as T;
  }

  set(key: string, value: unknown, generation: number): void {
    if (generation !== this.gen) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.gen += 1;
    this.entries.clear();
  }

  /** Returns the cached value for `key`, or loads, stores and returns it. */
  async through<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.get<T>(key);
    if (hit !== undefined) return hit;
    const generation = this.gen;
    const value = await load();
    this.set(key, value, generation);
    return value;
  }
}

type Listen = (channel: string, onPayload: (payload: string) => void) => Promise<Unlisten>;

/**
 * A cache that the catalog_changed notification clears, or `undefined` (no caching) when the app
 * has no LISTEN connection: a cache nobody invalidates would serve stale prices for a TTL.
 */
export async function invalidatedCache(
  listen: Listen | undefined,
  onError: (err: unknown) => void,
  settings: { maxEntries?: number; ttlMs?: number } = {},
): Promise<{ cache: StorefrontCache; stop: Unlisten } | undefined> {
  if (!listen) return undefined;
  const cache = new StorefrontCache(settings.maxEntries, settings.ttlMs);
  try {
    const stop = await listen(CATALOG_CHANGED_CHANNEL, () => cache.clear());
    return { cache, stop };
  } catch (err) {
    onError(err);
    return undefined;
  }
}
