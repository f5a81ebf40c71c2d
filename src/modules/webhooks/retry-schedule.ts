/**
 * When a failed delivery is tried again. Exported as data so the docs, the worker and the tests use the
 * same numbers: the delay after attempt n is `retryDelaysSeconds[n - 1]`, spread by ±`retryJitter` so that
 * deliveries which failed together (an endpoint that was down) do not all come back in the same second.
 * After the last attempt the delivery is `failed` (it can still be redelivered by hand or replayed).
 */
export const retryDelaysSeconds: readonly number[] = [
  5,
  30,
  2 * 60,
  10 * 60,
  30 * 60,
  60 * 60,
  3 * 60 * 60,
  6 * 60 * 60,
  12 * 60 * 60,
  24 * 60 * 60,
  24 * 60 * 60,
];

/** Attempts in all: the first one plus one per delay (12). */
export const maxAttempts = retryDelaysSeconds.length + 1;

/** Each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]. */
export const retryJitter = 0.2;

/**
 * Milliseconds to wait after failed attempt `attempt` (1-based), or null when it was the last one.
 * `random` (0 ≤ r < 1) is replaceable so tests can pin the jitter.
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number | null {
  const base = retryDelaysSeconds[attempt - 1];
  if (base === undefined) return null;
  const factor = 1 - retryJitter + 2 * retryJitter * random();
  return Math.round(base * 1000 * factor);
}
