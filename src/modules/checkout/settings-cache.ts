/**
 * Regions, tax rules and shipping options kept in memory between requests, keyed by the database's settings token
 * (`checkout_settings_version`, changed by triggers on every write to those tables; migration 0035). A cart read
 * returns the token in the same statement, so a cached value is used only while the settings it was read from are
 * still current: a change made anywhere (another node, an import, plain SQL) gives the next cart read a new token,
 * hence a miss. Tokens are random, so the caches of several databases in one process (tests) never mix.
 *
 * A value read after the token (by its own statement) may be newer than the token — never older — and a newer
 * token is what every later read sees, so nothing stale is ever served. Rejections are not kept (a missing region
 * is asked again). Values are shared between requests: callers must not change them.
 */

/** Tokens kept at once; an old token is never read again once the next one is committed. */
const MAX_TOKENS = 4;
/** Entries per token (regions, countries' tax rules, regions' options): far more than a shop has. */
const MAX_ENTRIES = 2000;

const byToken = new Map<string, Map<string, Promise<unknown>>>();

/**
 * `load()` once per token and key; without a token (a cart read that did not return one) it always loads.
 */
export function cachedSetting<T>(token: string | null | undefined, key: string, load: () => Promise<T>): Promise<T> {
  if (!token) return load();
  let entries = byToken.get(token);
  if (!entries) {
    entries = new Map();
    byToken.set(token, entries);
    while (byToken.size > MAX_TOKENS) {
      const oldest = byToken.keys().next().value;
      if (oldest === undefined) break;
      byToken.delete(oldest);
    }
  }
  const hit = entries.get(key) as Promise<T> | undefined;
  if (hit) return hit;
  const loading = load();
  if (entries.size < MAX_ENTRIES) {
    entries.set(key, loading);
    const mine = entries;
    loading.catch(() => {
      if (mine.get(key) === loading) mine.delete(key);
    });
  }
  return loading;
}
