import { randomBytes } from 'node:crypto';
import { commitHold, hold } from '../../src/modules/inventory/index.js';
import { createOrder, transition } from '../../src/modules/orders/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { signUp } from '../identity/customers.helpers.js';
import { auth } from '../identity/staff.helpers.js';
import { deps as inventoryDeps, level, makeLocation, makeVariants, receive } from '../inventory/inventory.helpers.js';
import type { TestApp } from '../support/app.js';

/**
 * Fixtures of the fulfilment tests: an order placed straight through the module APIs (so a test can choose pending
 * orders and stock split over locations, which a storefront checkout cannot), and the fulfilment requests. `app` and
 * `staff` are read when a helper runs, so the kit can be made before the test app exists.
 */
export interface Placed {
  orderId: string;
  number: number;
  email: string;
  customerToken?: string;
  locationId: string;
  lines: { id: string; variantId: string; itemId: string; quantity: number }[];
}

interface PlaceOptions {
  quantities?: number[];
  customer?: boolean;
  /** Leave the order `pending_payment` (its units still reserved). */
  pending?: boolean;
  /** Also stock this many of each variant at a second location that holds are drawn from first. */
  splitStock?: number;
}

export function fulfilmentKit(app: () => TestApp, staff: () => string) {
  /**
   * A placed order (payment authorized) whose units are reserved at a fresh location holding 10 of
   * each variant (and, with `splitStock`, partly at `otherLocationId`).
   */
  async function placed(opts: PlaceOptions = {}): Promise<Placed & { otherLocationId?: string }> {
    const db = app().db.db;
    const quantities = opts.quantities ?? [2];
    const location = await makeLocation(db, undefined, 500);
    const other = opts.splitStock ? await makeLocation(db, undefined, 0) : undefined;
    const variants = await makeVariants(db, quantities.length);
    for (const v of variants) {
      await receive(db, v.itemId, location.id, 10);
      if (other && opts.splitStock) await receive(db, v.itemId, other.id, opts.splitStock);
    }
    const customer = opts.customer ? await signUp(app()) : undefined;
    const cartId = `cart_ful${randomBytes(6).toString('hex')}`;
    const stock = variants.map((v, i) => ({ variantId: v.variantId, quantity: quantities[i] ?? 1 }));
    const inv = inventoryDeps(db);
    await withTransaction(db, (tx) => hold(inv, tx, { cartId, lines: stock, ttlSeconds: 600 }));
    const email = customer?.email ?? `buyer.${randomBytes(4).toString('hex')}@example.com`;
    const order = await withTransaction(db, async (tx) => {
      const o = await createOrder(tx, systemActor, {
        cartId,
        customerId: customer?.id ?? null,
        email,
        salesChannelId: 'sc_default',
        regionId: null,
        currency: 'EUR',
        subtotal: 1000 * quantities.reduce((a, b) => a + b, 0),
        discountTotal: 0,
        shippingTotal: 0,
        taxTotal: 0,
        total: 1000 * quantities.reduce((a, b) => a + b, 0),
        shippingAddress: null,
        billingAddress: null,
        shippingMethod: null,
        promoCodes: [],
        lines: variants.map((v, i) => ({
          variantId: v.variantId,
          productId: `prod_t${v.variantId.slice(5)}`,
          sku: v.sku,
          title: `Thing ${i + 1}`,
          variantTitle: 'Default',
          quantity: quantities[i] ?? 1,
          unitPrice: 1000,
          subtotal: 1000 * (quantities[i] ?? 1),
          discount: 0,
          tax: 0,
          total: 1000 * (quantities[i] ?? 1),
          taxLines: [],
        })),
      });
      await commitHold(inv, tx, { cartId, orderId: o.id, lines: stock });
      if (!opts.pending) {
        await transition(tx, systemActor, { orderId: o.id, field: 'status', from: 'pending_payment', to: 'placed' });
        await transition(tx, systemActor, {
          orderId: o.id,
          field: 'payment_status',
          from: 'not_paid',
          to: 'authorized',
        });
      }
      return o;
    });
    const lines = await db
      .selectFrom('order_line')
      .select(['id', 'variant_id', 'quantity'])
      .where('order_id', '=', order.id)
      .orderBy('position')
      .execute();
    return {
      orderId: order.id,
      number: order.number,
      email,
      ...(customer ? { customerToken: customer.token } : {}),
      locationId: location.id,
      ...(other ? { otherLocationId: other.id } : {}),
      lines: lines.map((l, i) => ({
        id: l.id,
        variantId: l.variant_id ?? '',
        itemId: variants[i]?.itemId ?? '',
        quantity: l.quantity,
      })),
    };
  }

  const base = (orderId: string) => `/v1/admin/orders/${orderId}/fulfillments`;
  const post = (url: string, payload?: Record<string, unknown>, token = staff()) =>
    app().app.inject({ method: 'POST', url, headers: auth(token), ...(payload ? { payload } : {}) });
  const fulfilLines = (orderId: string, lines: { lineId: string; quantity: number }[], extra = {}, token = staff()) =>
    post(base(orderId), { lines, ...extra }, token);
  const ship = (orderId: string, fid: string, body: Record<string, unknown> = {}, token = staff()) =>
    post(`${base(orderId)}/${fid}/ship`, { carrier: 'DHL', trackingNumber: 'JD0001', ...body }, token);
  const deliver = (orderId: string, fid: string, token = staff()) =>
    post(`${base(orderId)}/${fid}/deliver`, undefined, token);
  const detail = async (orderId: string) =>
    (await app().app.inject({ method: 'GET', url: `/v1/admin/orders/${orderId}`, headers: auth(staff()) })).json();

  const movements = (orderId: string) =>
    app()
      .db.db.selectFrom('stock_movement')
      .select(['item_id', 'location_id', 'delta_on_hand', 'delta_reserved', 'reason'])
      .where('reference_id', '=', orderId)
      .where('reason', '=', 'fulfil')
      .orderBy('id')
      .execute();
  const events = async (orderId: string) =>
    (
      await app()
        .db.db.selectFrom('outbox_event')
        .select('type')
        .where('aggregate_id', '=', orderId)
        .orderBy('id')
        .execute()
    ).map((e) => e.type);

  /** What a refused request must leave untouched. */
  async function snapshot(o: Placed) {
    const db = app().db.db;
    return {
      levels: await Promise.all(o.lines.map((l) => level(db, l.itemId, o.locationId))),
      lines: await db
        .selectFrom('order_line')
        .select(['fulfilled_quantity', 'shipped_quantity'])
        .where('order_id', '=', o.orderId)
        .orderBy('position')
        .execute(),
      order: await db
        .selectFrom('order')
        .select(['status', 'fulfillment_status', 'version'])
        .where('id', '=', o.orderId)
        .executeTakeFirst(),
      fulfillments: await db.selectFrom('fulfillment').select('id').where('order_id', '=', o.orderId).execute(),
      events: await events(o.orderId),
      movements: await movements(o.orderId),
    };
  }

  return { placed, base, post, fulfilLines, ship, deliver, detail, movements, events, snapshot };
}
