import { TypeID, typeid } from 'typeid-js';

/**
 * Prefixed, time-sortable ids (TypeID: a prefix plus a UUIDv7 in Crockford base32), e.g.
 * `ord_01jd4m3k8sf6tb0z5g2n0c1xyz`. Sorting the text sorts by creation time, so ids make good
 * cursors and B-tree keys. Every prefix lives here so two modules cannot pick the same one.
 */
export const idPrefixes = {
  event: 'evt',
  product: 'prod',
  variant: 'var',
  cart: 'cart',
  cartLine: 'cl',
  order: 'ord',
  orderLine: 'ordl',
  orderEvent: 'oev',
  payment: 'pay',
  customer: 'cus',
  staff: 'stf',
  role: 'role',
  session: 'ses',
  apiKey: 'key',
  address: 'addr',
  audit: 'aud',
  token: 'tok',
  notification: 'ntf',
  salesChannel: 'sc',
  productOption: 'opt',
  category: 'cat',
  collection: 'col',
  stockLocation: 'sloc',
  inventoryItem: 'iitem',
  stockMovement: 'mov',
  stockHold: 'hold',
  importJob: 'imp',
  paymentTransaction: 'ptx',
  paymentOperation: 'pop',
  region: 'reg',
  taxRate: 'txr',
  shippingOption: 'so',
  promotion: 'promo',
  fulfillment: 'ful',
  returnRequest: 'ret',
  returnLine: 'retl',
  webhookEndpoint: 'whep',
  webhookDelivery: 'whdl',
  webhookAttempt: 'what',
  customerNote: 'cnote',
} as const;

export type IdKind = keyof typeof idPrefixes;

export function newId(kind: IdKind): string {
  return typeid(idPrefixes[kind]).toString();
}

/** True when `value` is a well-formed id of `kind` (used to reject bad path params early). */
export function isId(kind: IdKind, value: string): boolean {
  try {
    return TypeID.fromString(value).getType() === idPrefixes[kind];
  } catch {
    return false;
  }
}

/** Milliseconds since epoch encoded in an id (UUIDv7 timestamp). */
export function idTimestamp(value: string): number {
  const hex = TypeID.fromString(value).toUUID().replace(/-/g, '').slice(0, 12);
  return Number.parseInt(hex, 16);
}
