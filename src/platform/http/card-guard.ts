import { AppError } from '../errors.js';
import type { App } from './types.js';

/**
 * Card numbers never reach Backroom: storefronts collect them in the gateway's own fields (Stripe Elements, PayPal
 * buttons) and send us tokens. A request body that carries something shaped like a card number — 13 to 19 digits
 * (spaces and dashes allowed; 15 to 19 in practice) with a card network's prefix and a valid Luhn check digit — is refused with 400 before
 * validation, idempotency storage or any handler sees it, and the number itself appears in no answer and no log.
 * The prefix + length + Luhn test is what data-loss-prevention scanners use; it keeps tracking numbers and ids out.
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

/**
 * Card networks by prefix and the lengths their numbers have today. Lengths below 15 are left out on purpose: EAN-13,
 * UPC-12 and GTIN-14 barcodes (product data) would otherwise be refused whenever their digits happen to pass Luhn.
 */
const networks: { prefix: RegExp; lengths: number[] }[] = [
  { prefix: /^4/, lengths: [16, 19] }, // Visa
  { prefix: /^(5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/, lengths: [16] }, // Mastercard
  { prefix: /^3[47]/, lengths: [15] }, // American Express
  { prefix: /^(6011|65|64[4-9])/, lengths: [16, 19] }, // Discover
  { prefix: /^35(2[89]|[3-8]\d)/, lengths: [16, 19] }, // JCB
  { prefix: /^(30[0-5]|36|38)/, lengths: [16] }, // Diners Club
  { prefix: /^62/, lengths: [16, 17, 18, 19] }, // UnionPay
  { prefix: /^(5018|5020|5038|6304|6759|676[1-3])/, lengths: [16, 17, 18, 19] }, // Maestro
];

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Whether `value` is shaped like a card number. */
export function looksLikeCardNumber(value: string): boolean {
  if (value.length > 40 || !/^[\d -]+$/.test(value)) return false;
  const digits = value.replace(/[ -]/g, '');
  if (digits.length < 15 || digits.length > 19) return false;
  return networks.some((n) => n.prefix.test(digits) && n.lengths.includes(digits.length)) && luhn(digits);
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
