import { Webhook } from 'standardwebhooks';
import type { SecretBox } from '../../platform/crypto/secret-box.js';

/**
 * Standard Webhooks 1.0 signatures, computed by the `standardwebhooks` package (the one consumers verify
 * with). During a rotation overlap the previous secret still signs too, so a consumer that has not yet
 * switched keeps verifying: `webhook-signature` then holds both signatures, space-separated.
 */

export interface EndpointSecretRow {
  id: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
}

/** The secrets an attempt is signed with: the current one first, then the previous one while it is still valid. */
export function signingSecrets(box: SecretBox, row: EndpointSecretRow, now: Date): string[] {
  const secrets = [box.open(row.secret_sealed, row.id)];
  if (row.previous_secret_sealed && row.previous_secret_expires_at && row.previous_secret_expires_at > now) {
    secrets.push(box.open(row.previous_secret_sealed, row.id));
  }
  return secrets;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three signature headers of one attempt: `webhook-id` is the event id, the timestamp this attempt's. */
export function signDelivery(secrets: readonly string[], eventId: string, at: Date, body: string): SignedHeaders {
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(eventId, at, body)).join(' '),
  };
}
