import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCardNumber, looksLikeCardNumber } from '../../src/platform/http/card-guard.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'debug' } });
});
afterAll(async () => {
  await t?.close();
});

describe('card numbers never reach Backroom', () => {
  it('knows a card number by network prefix, length and Luhn digit, and leaves other digits alone', () => {
    for (const card of [
      '4242424242424242',
      '4242 4242 4242 4242',
      '5555-5555-5555-4444',
      '2223003122003222',
      '378282246310005',
      '6011111111111117',
      '3566002020360505',
      '3056930009020004',
      '6200000000000005',
    ]) {
      expect(looksLikeCardNumber(card), card).toBe(true);
    }
    for (const other of [
      '4242424242424241', // Luhn fails
      '00340434161094042557', // a DHL tracking number (20 digits)
      '123456789012345', // no card network starts with 1
      '4006381333932', // an EAN-13 barcode that passes Luhn
      '40063813339314', // a GTIN-14 that passes Luhn
      '1Z999AA10123456784', // UPS
      '+49 30 1234567',
      '10117',
      'ord_01m8bty0qwf6evw3rgexwkpgkb',
    ]) {
      expect(looksLikeCardNumber(other), other).toBe(false);
    }
    expect(findCardNumber({ a: [{ b: 'x' }, { c: 4111111111111111 }] }, '/body')).toBe('/body/a/1/c');
    expect(findCardNumber({ 'a/b': '4111 1111 1111 1111' }, '/body')).toBe('/body/a~1b');
    expect(findCardNumber({ a: ['nothing', 42] })).toBeNull();
  });

  it('refuses a body carrying one with 400 naming the field, stores nothing and logs no digits', async () => {
    const cart = await t.app.inject({ method: 'POST', url: '/v1/store/carts', payload: { currency: 'EUR' } });
    expect(cart.statusCode, cart.body).toBe(201);
    const id = cart.json<{ id: string }>().id;
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/store/carts/${id}/payment`,
      headers: { 'idempotency-key': 'card-guard-1' },
      payload: { provider: 'manual', data: { note: 'my card', card: '4242 4242 4242 4242' } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CARD_DATA_REJECTED', errors: [{ path: '/body/data/card' }] });
    expect(res.body).not.toContain('4242');
    // Checked before validation: an unknown field with a card number is refused as card data too.
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/store/carts',
      payload: { cardNumber: 5555555555554444 },
    });
    expect(unknown.json()).toMatchObject({
      status: 400,
      code: 'CARD_DATA_REJECTED',
      errors: [{ path: '/body/cardNumber' }],
    });
    const after = await t.app.inject({ method: 'GET', url: `/v1/store/carts/${id}` });
    expect(after.json(), after.body).toMatchObject({ payment: null });
    expect(t.logs.raw.join('\n')).not.toMatch(/4242|5555555555554444/);
    const stored = await t.db.db.selectFrom('idempotency_key').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain('4242');
  });
});
