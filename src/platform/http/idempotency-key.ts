/**
 * How much guessing an `Idempotency-Key` would take. An anonymous caller's key is the only thing that keeps its
 * stored response (a new guest cart's id, which is all it takes to read and change that cart) from anyone else
 * who sends the same request with the same key, so such keys must be unguessable: at least 128 bits of randomness,
 * e.g. a UUID v4 or 16 random bytes in base64url (22 characters).
 *
 * We cannot measure randomness from one string; we estimate what it could hold from its length and alphabet (hex,
 * digits, base64url, any visible ASCII) and refuse the shapes people type: too short (`K1`, `checkout-1`), few
 * distinct characters (`aaaa…`, `1212…`), counting runs (`abcdef…`, `0123…`). The thresholds are set so a random
 * UUID or base64url key is refused with a chance below one in a trillion; a long key a person made up can still pass,
 * so the rule to follow is the documented one: generate the key randomly.
 */

export const MIN_KEY_BITS = 128;

/** How many characters of a key count, and how many bits each can carry, judged by the alphabet it is written in. */
function alphabetBits(key: string): { chars: number; bitsPerChar: number } {
  // Hex, a UUID among it: hyphens carry nothing. (One in a million random hex keys holds no letter: still hex.)
  if (/^[0-9a-f-]+$/.test(key) || /^[0-9A-F-]+$/.test(key))
    return { chars: key.replace(/-/g, '').length, bitsPerChar: 4 };
  if (/^[A-Za-z0-9_-]+$/.test(key)) {
    // base64url (64 symbols). Judged by the alphabet, not by the classes that turn up: one in 100,000 random
    // 16-byte keys has no capital letter, and refusing a correctly made key is worse than the estimate's slack.
    return { chars: key.length, bitsPerChar: 6 };
  }
  // Any visible ASCII character (95 of them).
  return { chars: key.length, bitsPerChar: Math.log2(95) };
}

/** Whether most neighbouring characters repeat or count (`aaaa`, `abcd`, `0123`, `9876`). */
function mostlyPattern(key: string): boolean {
  const lower = key.toLowerCase();
  let steps = 0;
  for (let i = 1; i < key.length; i++) {
    if (Math.abs(lower.charCodeAt(i) - lower.charCodeAt(i - 1)) <= 1) steps++;
  }
  return steps * 4 > (key.length - 1) * 3;
}

/** Whether `key` could carry at least 128 bits of randomness (see above). */
export function isUnguessableKey(key: string): boolean {
  const { chars, bitsPerChar } = alphabetBits(key);
  if (chars * bitsPerChar < MIN_KEY_BITS) return false;
  if (new Set(key.replace(/-/g, '')).size < 6) return false;
  return !mostlyPattern(key);
}
