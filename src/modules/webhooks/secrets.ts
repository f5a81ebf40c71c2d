import { randomBytes } from 'node:crypto';

/**
 * Endpoint signing secrets in the Standard Webhooks format: `whsec_` + base64 of 32 random bytes
 * (the `standardwebhooks` package's `new Webhook(secret)` takes it as is). The secret is shown to
 * the merchant once (at creation and at each rotation) and otherwise kept only sealed with the
 * secret box, the endpoint id as AAD (`secret_sealed`, `previous_secret_sealed`).
 */

export const SECRET_PREFIX = 'whsec_';

export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}
