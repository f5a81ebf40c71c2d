import { looksLikeCardNumber } from '../card-numbers.js';
import { AppError } from '../errors.js';
import type { App } from './types.js';

export { looksLikeCardNumber };

/**
 * Card numbers never reach Backroom: storefronts collect them in the gateway's own fields (Stripe Elements, PayPal
 * buttons) and send us tokens. A request body that carries something shaped like a card number — 13 to 19 digits
 * (spaces and dashes allowed; 15 to 19 in practice) with a card network's prefix and a valid Luhn check digit — is refused with 400 before
 * validation, idempotency storage or any handler sees it, and the number itself appears in no answer and no log.
 * The prefix + length + Luhn test (card-numbers.ts) is the same one the logger masks log lines with.
 */

/** 400 `CARD_DATA_REJECTED`, naming the field (never the value). */
export class CardDataRejectedError extends AppError {
  constructor(path: string) {
    super(400, 'CARD_DATA_REJECTED', 'Card data rejected', {
      detail: 'The request carries what looks like a card number; Backroom never accepts card data.',
      errors: [
        {
          path,
          message: "looks like a card number: collect cards in the payment provider's own fields and send its token",
        },
      ],
    });
  }
}

/** The JSON-pointer path of the first card-shaped value in `value` (depth-limited), or null. */
export function findCardNumber(value: unknown, path = '', depth = 0): string | null {
  // Raw bodies (signed gateway webhooks) are bytes the gateway signed, not fields a client filled in.
  if (depth > 32 || Buffer.isBuffer(value)) return null;
  if (typeof value === 'string') return looksLikeCardNumber(value) ? path : null;
  if (typeof value === 'number') return Number.isSafeInteger(value) && looksLikeCardNumber(String(value)) ? path : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = findCardNumber(v, `${path}/${i}`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = findCardNumber(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/** Refuses card-shaped values in every JSON body (before validation: unknown fields are checked too). */
export function registerCardGuard(app: App): void {
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined || request.body === null) return;
    const path = findCardNumber(request.body, '/body');
    if (path) throw new CardDataRejectedError(path);
  });
}
