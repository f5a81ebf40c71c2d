import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeStripe } from '../../src/fake-gateways/stripe/index.js';
import { startWebhookWorker } from '../../src/modules/webhooks/delivery.worker.js';
import { operationOf, statementText } from '../../src/platform/db/traced-connection.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { EventHandlers } from '../../src/platform/outbox/handlers.js';
import { appendEvent } from '../../src/platform/outbox/outbox.js';
import { relayOnce } from '../../src/platform/outbox/relay.js';
import { startTracing, type Tracing, tracingOn, tracingPlugin } from '../../src/platform/tracing.js';
import { complete } from '../checkout/completion.helpers.js';
import { preparedCart, stripeConfirm } from '../payments/gateway-e2e.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { addEndpoint, addEvent, createHarness, noFeed, Receiver, waitFor } from '../webhooks/delivery.support.js';

/**
 * OpenTelemetry in one file: the SDK registers itself globally, so tracing is started once here (after the "off"
 * tests) and shut down in afterAll. Spans go to an in-memory exporter, each handed over as it ends.
 */

const probeAnswer = Type.Object({ traceId: Type.Union([Type.String(), Type.Null()]) });

/** A route that logs through the request's logger and answers the trace id it sees as active. */
const probe: FastifyPluginAsync = async (app) => {
  app.get('/test/trace-probe', { schema: { hide: true, response: { 200: probeAnswer } } }, async (request) => {
    request.log.info({ probe: true }, 'trace probe');
    return { traceId: trace.getActiveSpan()?.spanContext().traceId ?? null };
  });
};

const stripeEnv = (url: string) => ({
  STRIPE_SECRET_KEY: 'sk_test_backroom',
  STRIPE_WEBHOOK_SECRET: 'whsec_backroom',
  STRIPE_PUBLISHABLE_KEY: 'pk_test_backroom',
  STRIPE_API_BASE: url,
  PAYMENT_PROVIDER_TIMEOUT_MS: '4000',
});

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const isSql = (s: ReadableSpan) => s.attributes['db.system'] === 'postgresql' && s.name !== 'transaction';

/** Every span of `all` under `root` (at any depth). */
function descendants(all: ReadableSpan[], root: ReadableSpan): ReadableSpan[] {
  const byId = new Map(all.map((s) => [s.spanContext().spanId, s]));
  return all.filter((s) => {
    for (let p = parentOf(s); p !== undefined; p = byId.get(p) ? parentOf(byId.get(p) as ReadableSpan) : undefined) {
      if (p === root.spanContext().spanId) return true;
    }
    return false;
  });
}

describe('statement text on spans', () => {
  it('keeps placeholders and blanks literals', () => {
    const text = statementText(
      "select * from customer where email = 'ann@example.com' and id = $1 and n > 42 and body = $q$secret$q$ and t1.x = $2",
    );
    expect(text).not.toContain('ann@example.com');
    expect(text).not.toContain('42');
    expect(text).not.toContain('secret');
    expect(text).toContain('$1');
    expect(text).toContain('$2');
    expect(text).toContain('t1.x');
    expect(statementText(`select '${'x'.repeat(1000)}`)).toBe("select '?'");
    expect(statementText(`select ${'a, '.repeat(500)}b`).length).toBe(300);
    expect(operationOf('  with x as (select 1) select * from x')).toBe('WITH');
    expect(operationOf('(select 1)')).toBe('SELECT');
  });
});

describe('tracing off (the default)', () => {
  it('registers no request hook, sees no active span and writes no trace ids', async () => {
    expect(tracingOn()).toBe(false);
    expect(tracingPlugin()).toBeUndefined();
    const t = await createTestApp({ plugins: [probe] });
    try {
      const res = await t.app.inject({ method: 'GET', url: '/test/trace-probe' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ traceId: null });
      expect((await t.app.inject({ method: 'GET', url: '/v1/store/products' })).statusCode).toBe(200);
      const line = t.logs.lines.find((l) => l.probe === true);
      expect(line).toBeDefined();
      expect(t.logs.lines.some((l) => 'trace_id' in l || 'span_id' in l)).toBe(false);
    } finally {
      await t.close();
    }
  });
});

describe('tracing on', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let t: TestApp;
  let stripe: Awaited<ReturnType<typeof startFakeStripe>>;

  beforeAll(async () => {
    tracing = await startTracing({ exporter, serviceName: 'backroom-test', process: 'test' });
    stripe = await startFakeStripe({ holdWebhooks: true });
    t = await createTestApp({ env: stripeEnv(stripe.url), plugins: [probe] });
  });
  afterAll(async () => {
    await t?.close();
    await stripe?.close();
    await tracing?.shutdown();
    expect(tracingOn()).toBe(false);
  });

  it('a log line written during a request carries the request span’s trace and span ids', async () => {
    exporter.reset();
    const res = await t.app.inject({ method: 'GET', url: '/test/trace-probe?token=abc' });
    expect(res.statusCode).toBe(200);
    const span = exporter.getFinishedSpans().find((s) => s.name === 'GET /test/trace-probe');
    expect(span).toBeDefined();
    const ids = span?.spanContext();
    expect(res.json().traceId).toBe(ids?.traceId);
    expect(span?.attributes['url.path']).toBe('/test/trace-probe'); // the query string is not recorded
    expect(span?.attributes['http.response.status_code']).toBe(200);
    const line = t.logs.lines.find((l) => l.probe === true);
    expect(line).toMatchObject({ trace_id: ids?.traceId, span_id: ids?.spanId });
  });

  it('probes and scrapes are not traced: /health/* and /metrics make no span', async () => {
    exporter.reset();
    for (const url of ['/health/live', '/health/ready', '/metrics']) await t.app.inject({ method: 'GET', url });
    await t.app.inject({ method: 'GET', url: '/test/trace-probe' });
    expect(exporter.getFinishedSpans().filter((s) => !s.parentSpanContext && s.name.startsWith('GET '))).toEqual([
      expect.objectContaining({ name: 'GET /test/trace-probe' }),
    ]);
  });

  it('one guest checkout: the complete request is the root of its trace, with SQL and gateway spans under it', async () => {
    const g = { t, provider: 'stripe' as const, stripe, close: async () => {} };
    exporter.reset();
    const cart = await preparedCart(g);
    expect(await stripeConfirm(stripe, cart.clientData.clientSecret as string)).toBe(200);
    const done = await complete(t, cart.cartId);
    expect(done.statusCode).toBe(200);
    const spans = exporter.getFinishedSpans();

    // The payment choice called Stripe (initiate) inside its request.
    const payment = spans.filter((s) => s.name === 'POST /v1/store/carts/:id/payment');
    const initiate = spans.find((s) => s.name === 'stripe initiate');
    expect(initiate).toBeDefined();
    expect(payment.some((p) => descendants(spans, p).includes(initiate as ReadableSpan))).toBe(true);
    expect(initiate?.attributes).toMatchObject({
      'backroom.payment.provider': 'stripe',
      'backroom.payment.operation': 'initiate',
    });

    const root = spans.find((s) => s.name === 'POST /v1/store/carts/:id/complete');
    expect(root).toBeDefined();
    const r = root as ReadableSpan;
    expect(r.parentSpanContext).toBeUndefined();
    expect(r.attributes['http.route']).toBe('/v1/store/carts/:id/complete');
    expect(r.attributes['http.response.status_code']).toBe(200);
    expect(r.attributes['backroom.request_id']).toBe(done.headers['x-request-id']);
    const inTrace = spans.filter((s) => s.spanContext().traceId === r.spanContext().traceId);
    const under = descendants(spans, r);
    // Every span of the trace hangs under the request span.
    expect(under.length).toBe(inTrace.length - 1);

    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const sql = under.filter(isSql);
    expect(sql.length).toBeGreaterThan(10);
    for (const s of sql) {
      const parent = byId.get(parentOf(s) ?? '');
      // Directly under the request, or under a transaction that is.
      expect(parent === r || (parent?.name === 'transaction' && parentOf(parent) === r.spanContext().spanId)).toBe(
        true,
      );
      expect(s.attributes['db.operation.name']).toBe(s.name);
    }
    const transactions = under.filter((s) => s.name === 'transaction');
    expect(transactions.length).toBeGreaterThan(0);
    const tx = transactions[0] as ReadableSpan;
    const statementsOfTx = sql.filter((s) => parentOf(s) === tx.spanContext().spanId).map((s) => s.name);
    expect(statementsOfTx[0]).toBe('BEGIN');
    expect(statementsOfTx.at(-1)).toMatch(/^(COMMIT|ROLLBACK)$/);

    // The gateway call of completion (the buyer confirmed in the browser: Backroom reads the outcome).
    const authorize = under.find((s) => s.name === 'stripe authorize');
    expect(authorize?.attributes).toMatchObject({
      'backroom.payment.provider': 'stripe',
      'backroom.payment.operation': 'authorize',
    });
    expect(typeof authorize?.attributes['backroom.payment.status']).toBe('string');

    // Never a parameter: the buyer's email and the gateway keys appear in no span.
    const recorded = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes })));
    expect(recorded).not.toContain(cart.email);
    expect(recorded).not.toContain('sk_test_backroom');
    expect(recorded).not.toContain(cart.clientData.clientSecret as string);
  }, 60_000);

  it('outbox handler runs are spans of their own, with their statements under them', async () => {
    exporter.reset();
    const probeHandler = async () => void (await t.db.db.selectFrom('order').select('id').limit(1).execute());
    const handlers = new EventHandlers()
      .on('order.placed', 'trace-probe', probeHandler)
      .on('test.traced', 'trace-probe', probeHandler);
    // An event that names the request that wrote it.
    await withTransaction(t.db.db, (tx) =>
      appendEvent<string>(tx, { type: 'test.traced', payload: {}, requestId: 'req_trace_probe' }),
    );
    await relayOnce(
      { db: t.db.db, handlers, logger: t.logs.logger() },
      { batchSize: 500, pollIntervalMs: 50, maxAttempts: 3 },
    );
    const spans = exporter.getFinishedSpans();
    const run = spans.find((s) => s.name === 'outbox order.placed');
    expect(run).toBeDefined();
    expect(run?.parentSpanContext).toBeUndefined();
    expect(run?.attributes).toMatchObject({
      'backroom.event.type': 'order.placed',
      'backroom.outbox.handler': 'trace-probe',
    });
    // The way back to the request that wrote the event, when the event names it (checkout's do not yet).
    const row = await t.db.db
      .selectFrom('outbox_event')
      .select('request_id')
      .where('id', '=', String(run?.attributes['backroom.event.id']))
      .executeTakeFirstOrThrow();
    expect(run?.attributes['backroom.request_id']).toBe(row.request_id ?? undefined);
    const named = spans.find((s) => s.name === 'outbox test.traced');
    expect(named?.attributes['backroom.request_id']).toBe('req_trace_probe');
    const under = descendants(spans, run as ReadableSpan);
    expect(under.some((s) => isSql(s) && s.name === 'SELECT')).toBe(true);
  });

  it('a webhook attempt is a span: endpoint, event type and status code, never the URL', async () => {
    const h = await createHarness({ db: t.db });
    const receiver = await Receiver.start();
    const worker = { stop: async () => {} };
    try {
      const ep = await addEndpoint(h, receiver.url('/hooks?token=receiver-secret'));
      receiver.secrets = [ep.secret];
      exporter.reset();
      const e = await addEvent(h, [ep.id], { resourceId: 'ord_traced', type: 'order.placed' });
      worker.stop = startWebhookWorker(h.deps, { feed: noFeed }).stop;
      await waitFor('the delivery', () => receiver.received.length >= 1);
      const span = await waitFor('its span', () =>
        exporter.getFinishedSpans().find((s) => s.name === 'webhook delivery'),
      );
      expect(span.attributes).toMatchObject({
        'backroom.webhook.endpoint_id': ep.id,
        'backroom.event.type': 'order.placed',
        'backroom.event.id': e.eventId,
        'http.response.status_code': 204,
      });
      const recorded = JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes));
      expect(recorded).not.toContain('receiver-secret');
      expect(recorded).not.toContain(ep.secret);
    } finally {
      await worker.stop();
      await receiver.close();
      await h.close();
    }
  });
});
