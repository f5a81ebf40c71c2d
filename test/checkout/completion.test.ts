import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { placeOrder } from '../orders/placed-order.helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('checkout completion', () => {
  it('places an order', async () => {
    const o = await placeOrder(t);
    expect(o.number).toBeGreaterThan(1000);
  });
});
