/**
 * A fresh Idempotency-Key for calls that are their own intent (the products of a bulk status change: one key per
 * run, suffixed with each product's id). Random 128 bits without crypto.randomUUID, which plain-http LAN addresses lack.
 */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
