import { createProduct } from '../../src/modules/catalog/index.js';
import { createOrder, type NewOrder } from '../../src/modules/orders/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { wireModules } from '../../src/wiring.js';
import type { TestApp } from '../support/app.js';

let seq = 0;

/** A product with one variant, for order lines. */
export async function orderableVariant(t: TestApp) {
  const n = `${Date.now().toString(36)}-${++seq}`;
  const p = await createProduct(wireModules(t.db.db).catalog, systemActor, {
    title: `Ordered thing ${n}`,
    handle: `ordered-${n}`,
    status: 'active',
    variants: [{ sku: `ORD-${n}`, prices: [{ currency: 'EUR', amount: 1500 }] }],
  });
  const v = p.variants[0];
  if (!v) throw new Error('no variant');
  return { productId: p.id, variantId: v.id, sku: v.sku };
}

/** Creates an order straight through the orders API (checkout will do this in its phase one). */
export async function placeOrderDirectly(
  t: TestApp,
  over: Partial<NewOrder> = {},
): Promise<{ id: string; number: number; variantId: string; productId: string }> {
  const v = await orderableVariant(t);
  const input: NewOrder = {
    cartId: `cart_${Date.now().toString(36)}_${++seq}`,
    customerId: null,
    email: `buyer.${seq}@example.com`,
    salesChannelId: 'sc_default',
    regionId: null,
    currency: 'EUR',
    subtotal: 3000,
    discountTotal: 0,
    shippingTotal: 490,
    taxTotal: 479,
    total: 3490,
    shippingAddress: {
      firstName: 'Ada',
      lastName: 'L',
      line1: '1 Main St',
      city: 'Berlin',
      postalCode: '10115',
      countryCode: 'DE',
    },
    billingAddress: null,
    shippingMethod: { id: 'so_test', name: 'Standard', amount: 490 },
    promoCodes: [],
    lines: [
      {
        variantId: v.variantId,
        productId: v.productId,
        sku: v.sku,
        title: 'Ordered thing',
        variantTitle: 'Default',
        quantity: 2,
        unitPrice: 1500,
        subtotal: 3000,
        discount: 0,
        tax: 479,
        total: 3000,
        taxLines: [{ name: 'VAT', rate: 19000, amount: 479 }],
      },
    ],
    ...over,
  };
  const order = await withTransaction(t.db.db, (tx) => createOrder(tx, systemActor, input));
  return { ...order, variantId: v.variantId, productId: v.productId };
}
