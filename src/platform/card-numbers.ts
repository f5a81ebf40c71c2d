/**
 * The one card-number detector: the HTTP card guard refuses bodies with it, the logger masks log lines with it.
 * A card number is 15 to 19 digits with a card network's prefix and a valid Luhn check digit — the test
 * data-loss-prevention scanners use; it keeps tracking numbers, barcodes and ids out.
 */

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

const MIN_DIGITS = 15;
const MAX_DIGITS = 19;

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

/** Whether a string of digits only is a card number (prefix, length, Luhn). */
function isCardDigits(digits: string): boolean {
  if (digits.length < MIN_DIGITS || digits.length > MAX_DIGITS) return false;
  return networks.some((n) => n.prefix.test(digits) && n.lengths.includes(digits.length)) && luhn(digits);
}

/** Whether `value` as a whole is shaped like a card number (spaces and dashes between digits allowed). */
export function looksLikeCardNumber(value: string): boolean {
  if (value.length > 40 || !/^[\d -]+$/.test(value)) return false;
  return isCardDigits(value.replace(/[ -]/g, ''));
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Length of the separator between two digit groups at `i` (space, dash, `+` or `%20` as in a URL), else 0. */
function separatorAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 32 || c === 45 || c === 43) return 1;
  if (c === 37 && text.charCodeAt(i + 1) === 50 && text.charCodeAt(i + 2) === 48) return 3;
  return 0;
}

/** Where a card number may begin: not inside a longer digit run or a decimal fraction; after a `%XX` escape is fine. */
function mayStartAt(text: string, i: number): boolean {
  if (i === 0) return true;
  const before = text.charCodeAt(i - 1);
  if (!isDigit(before) && before !== 46) return true;
  return i >= 3 && text.charCodeAt(i - 3) === 37;
}

/**
 * A superset of every card number as written (digits, spaces, dashes, `+`, `%20`): 15 such characters in a row. A
 * native scan that almost every log line fails (a millisecond timestamp is 13 digits), so the loop below rarely runs.
 */
const maybeCard = /\d[\d +%-]{14}/;

/**
 * `text` with every card number in it masked down to its last four digits (`************1111`), separators kept.
 * Finds numbers anywhere in free text (a URL's query, an error message, a whole JSON log line), not just whole values.
 * Runs on every log line: see `maybeCard`, and the loop allocates nothing until a run of 15 digits turns up.
 */
export function maskCardNumbers(text: string): string {
  if (!maybeCard.test(text)) return text;
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    if (!isDigit(text.charCodeAt(i)) || !mayStartAt(text, i)) {
      i++;
      continue;
    }
    // The run from here: digits with at most one separator between two of them.
    let count = 0;
    let j = i;
    while (j < text.length) {
      if (isDigit(text.charCodeAt(j))) {
        count++;
        j++;
        continue;
      }
      const sep = separatorAt(text, j);
      if (sep === 0 || !isDigit(text.charCodeAt(j + sep))) break;
      j += sep;
    }
    // Too short: no later start inside this run is any longer.
    if (count < MIN_DIGITS) {
      i = j;
      continue;
    }
    const length = cardAt(text, i);
    if (length === null) {
      i++;
      continue;
    }
    for (const p of length.positions.slice(0, length.digits - 4)) {
      out += `${text.slice(copied, p)}*`;
      copied = p + 1;
    }
    i = (length.positions[length.digits - 1] as number) + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** The longest card number starting at `i` that ends where a digit group ends (never inside a longer run). */
function cardAt(text: string, i: number): { digits: number; positions: number[] } | null {
  const positions: number[] = [];
  let digits = '';
  let j = i;
  while (j < text.length && digits.length < MAX_DIGITS) {
    if (isDigit(text.charCodeAt(j))) {
      digits += text[j];
      positions.push(j);
      j++;
      continue;
    }
    const sep = separatorAt(text, j);
    if (sep === 0 || !isDigit(text.charCodeAt(j + sep))) break;
    j += sep;
  }
  for (let n = digits.length; n >= MIN_DIGITS; n--) {
    const end = positions[n - 1] as number;
    if (end + 1 < text.length && isDigit(text.charCodeAt(end + 1))) continue;
    if (isCardDigits(digits.slice(0, n))) return { digits: n, positions };
  }
  return null;
}
