import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { appendEvent } from '../../src/platform/outbox/outbox.js';
import { staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { call, createEndpoint } from './endpoints.helpers.js';

/** The webhook gauges on /metrics: what an operator alerts on (backlog, failures, disabled endpoints). */

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp({ env: { WEBHOOKS_ALLOW_PRIVATE_URLS: 'true' } });
  owner = (await staffSession(t)).token;
});
afterAll(async () => {
  await t?.close();
});

function gauge(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('webhook metrics', () => {
  it('reports pending and failed deliveries, endpoints by state and the fan-out backlog at scrape time', async () => {
    const a = await createEndpoint(t, owner);
    const b = await createEndpoint(t, owner);
    expect((await call(t, owner, 'POST', `/v1/admin/webhook-endpoints/${a.id}/test`)).statusCode).toBe(202);
    expect((await call(t, owner, 'POST', `/v1/admin/webhook-endpoints/${a.id}/test`)).statusCode).toBe(202);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/v1/admin/webhook-endpoints/${b.id}`,
      headers: { authorization: `Bearer ${owner}`, 'if-match': `"${b.version}"` },
      payload: { enabled: false },
    });
    expect(patched.statusCode).toBe(200);
    await t.db.db
      .updateTable('webhook_delivery')
      .set({ status: 'failed' })
      .where('id', '=', (await firstDelivery(a.id)).id)
      .execute();

    // An event committed and sequenced (the events API sequences first) but not yet fanned out.
    await withTransaction(t.db.db, (tx) =>
      appendEvent(tx, { type: 'product.updated', aggregateId: 'prod_x', payload: { productId: 'prod_x' } }),
    );
    expect((await call(t, owner, 'GET', '/v1/admin/events')).statusCode).toBe(200);

    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(gauge(text, 'webhook_deliveries{status="pending"}')).toBe(1);
    expect(gauge(text, 'webhook_deliveries{status="failed"}')).toBe(1);
    expect(gauge(text, 'webhook_endpoints{state="enabled"}')).toBe(1);
    expect(gauge(text, 'webhook_endpoints{state="manual"}')).toBe(1);
    expect(gauge(text, 'webhook_endpoints{state="failing"}')).toBe(0);
    expect(gauge(text, 'webhook_fanout_backlog_events')).toBe(1);
  });
});

function firstDelivery(endpointId: string) {
  return t.db.db
    .selectFrom('webhook_delivery')
    .select('id')
    .where('endpoint_id', '=', endpointId)
    .orderBy('id')
    .executeTakeFirstOrThrow();
}
