import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  buildEventCatalogue,
  entries,
  internalEventTypes,
  renderEvents,
  webhookEntries,
} from '../../src/event-catalogue.js';
import { PING_EVENT_TYPE } from '../../src/modules/webhooks/index.js';
import { newStatementScope, runWithStatementScope } from '../../src/platform/db/query-stats.js';
import type { EventType, OutboxEvent } from '../../src/platform/outbox/outbox.js';
import { placeOrder } from '../orders/placed-order.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { envelope, openApiDoc, type WebhookDoc, webhookValidators } from './catalogue.helpers.js';

/**
 * The event catalogue itself: every declared event type is a webhook or internal with a reason, the API
 * document publishes every webhook type (and `ping`) under `webhooks`, rendering keys order-related events on
 * the order, renders a gone resource as `{ id, deleted: true }`, and reads a batch in a bounded number of statements.
 */

let t: TestApp;
let doc: WebhookDoc;
beforeAll(async () => {
  t = await createTestApp();
  doc = await openApiDoc(t);
});
afterAll(async () => {
  await t?.close();
});

let seq = 0;
const event = (type: string, aggregateId: string | null, payload: Record<string, unknown>): OutboxEvent => ({
  id: `evt_catalogue${String(++seq).padStart(6, '0')}`,
  type,
  aggregateId,
  payload,
  requestId: null,
  attempts: 0,
  createdAt: new Date(),
});

describe('event catalogue', () => {
  it('has an entry for every declared event type: a webhook, or internal with a reason', () => {
    // The compiler holds `entries` to exactly the declared types; this keeps that claim in the test too.
    expectTypeOf<keyof typeof entries>().toEqualTypeOf<EventType>();
    const declared = Object.keys(entries);
    expect(declared.length).toBeGreaterThan(20);
    for (const type of declared) {
      const isWebhook = webhookEntries.has(type);
      const reason = internalEventTypes.get(type);
      expect(isWebhook !== (reason !== undefined), type).toBe(true);
      if (reason !== undefined) expect(reason.length, type).toBeGreaterThan(10);
    }
    const catalogue = buildEventCatalogue();
    expect([...catalogue.types.keys()].sort()).toEqual([...webhookEntries.keys()].sort());
    expect([...catalogue.types.keys()]).toEqual(
      expect.arrayContaining(['order.placed', 'fulfillment.shipped', 'inventory.low_stock', 'inventory.back_in_stock']),
    );
  });

  it('publishes every webhook type and ping under the OpenAPI 3.1 top-level webhooks, in a valid document', async () => {
    const published = Object.keys(doc.webhooks).sort();
    expect(published).toEqual([...webhookEntries.keys(), PING_EVENT_TYPE].sort());
    for (const type of internalEventTypes.keys()) expect(doc.webhooks[type], type).toBeUndefined();
    const op = doc.webhooks['order.placed']?.post as unknown as {
      parameters: { name: string; in: string; required: boolean }[];
      description: string;
      requestBody: { content: Record<string, { schema: { required: string[]; properties: Record<string, unknown> } }> };
    };
    expect(op.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['webhook-id', 'header', true],
      ['webhook-timestamp', 'header', true],
      ['webhook-signature', 'header', true],
    ]);
    expect(op.description).toMatch(/GET \/v1\/admin\/orders\/\{id\}/);
    const body = op.requestBody.content['application/json']?.schema;
    expect(body?.required).toEqual(['type', 'timestamp', 'sequence', 'data']);
    expect(body?.properties.type).toEqual({ type: 'string', const: 'order.placed' });
    expect(doc.components.schemas).toHaveProperty('OrderResource');
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('validates as a consumer would: the right body passes, a wrong type, a missing field or bad data fail', () => {
    const validate = webhookValidators(doc);
    const ping = {
      type: 'ping',
      timestamp: new Date().toISOString(),
      sequence: 0,
      data: { endpointId: 'whep_1', message: 'hi' },
    };
    expect(validate('ping')(ping)).toBe(true);
    expect(validate('ping')({ ...ping, type: 'order.placed' })).toBe(false);
    expect(validate('ping')({ ...ping, timestamp: 'yesterday' })).toBe(false);
    expect(
      validate('product.deleted')({ ...ping, type: 'product.deleted', data: { id: 'prod_1', deleted: true } }),
    ).toBe(true);
    expect(
      validate('product.deleted')({ type: 'product.deleted', sequence: 1, data: { id: 'prod_1', deleted: true } }),
    ).toBe(false);
    expect(validate('order.placed')({ ...ping, type: 'order.placed', data: { id: 'ord_1' } })).toBe(false);
  });

  it('renders order-side events as the order, keyed on the order; payments of an order are ordered with it', async () => {
    const o = await placeOrder(t, { quantities: [1] });
    const events = [
      event('order.placed', o.orderId, { orderId: o.orderId }),
      event('fulfillment.shipped', o.orderId, { orderId: o.orderId, fulfillmentId: 'ful_x' }),
      event('return.requested', 'ret_x', { returnId: 'ret_x', orderId: o.orderId }),
      event('payment.authorized', o.paymentId, { paymentId: o.paymentId, orderId: o.orderId }),
      event('cart.completed', 'cart_x', { cartId: 'cart_x', orderId: o.orderId }),
    ];
    const rendered = await renderEvents(t.db.db, events);
    expect(rendered.has(events[4]!.id)).toBe(false); // internal: never rendered
    for (const e of events.slice(0, 4)) expect(rendered.get(e.id)?.resourceId, e.type).toBe(o.orderId);
    expect(rendered.get(events[0]!.id)?.data).toMatchObject({ id: o.orderId, status: 'placed', lines: [{}] });
    expect(rendered.get(events[3]!.id)?.data).toMatchObject({
      id: o.paymentId,
      orderId: o.orderId,
      provider: 'manual',
    });
    expect(rendered.get(events[3]!.id)?.data).not.toHaveProperty('clientData');
    const validate = webhookValidators(doc);
    for (const e of events.slice(0, 4)) {
      const check = validate(e.type);
      expect(check(envelope(e, 1, rendered.get(e.id)?.data)), JSON.stringify(check.errors)).toBe(true);
    }
  });

  it('renders a resource gone since the event as { id, deleted: true }, valid against its type', async () => {
    const events = [
      event('product.updated', 'prod_gone', { productId: 'prod_gone' }),
      event('product.deleted', 'prod_gone', { productId: 'prod_gone' }),
      event('inventory.low_stock', 'item_gone', { itemId: 'item_gone' }),
      event('payment.refunded', 'pay_gone', { paymentId: 'pay_gone', orderId: null }),
      event('customer.created', 'cus_gone', { customerId: 'cus_gone' }),
    ];
    const rendered = await renderEvents(t.db.db, events);
    const validate = webhookValidators(doc);
    for (const e of events) {
      const r = rendered.get(e.id);
      expect(r?.data, e.type).toEqual({ id: e.aggregateId, deleted: true });
      expect(r?.resourceId, e.type).toBe(e.aggregateId);
      expect(validate(e.type)(envelope(e, 7, r?.data)), e.type).toBe(true);
    }
  });

  it('renders a batch of order events in a bounded number of statements, whatever the number of orders', async () => {
    const orders: Awaited<ReturnType<typeof placeOrder>>[] = [];
    for (let i = 0; i < 4; i++) orders.push(await placeOrder(t, { quantities: [1, 2] }));
    const batch = (n: number) =>
      orders
        .slice(0, n)
        .flatMap((o) => [
          event('order.placed', o.orderId, { orderId: o.orderId }),
          event('fulfillment.created', o.orderId, { orderId: o.orderId }),
          event('payment.captured', o.paymentId, { paymentId: o.paymentId, orderId: o.orderId }),
          event('product.updated', null, { productId: `prod_none${n}` }),
        ]);
    const count = async (events: OutboxEvent[]) => {
      const scope = newStatementScope();
      const rendered = await runWithStatementScope(scope, () => renderEvents(t.db.db, events));
      expect(rendered.size).toBe(events.length);
      return scope.count;
    };
    const one = await count(batch(1));
    const four = await count(batch(4));
    // One statement per resource kind (orders, payments, products), for one order or many.
    expect(one).toBeLessThanOrEqual(3);
    expect(four).toBe(one);
  });
});
