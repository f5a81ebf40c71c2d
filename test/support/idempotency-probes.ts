import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '../../src/platform/db/database.js';
import { AppError, BusinessRuleError } from '../../src/platform/errors.js';
import type { App } from '../../src/platform/http/types.js';
import { gate } from './probes.js';

/** Knobs the idempotency tests turn on the probe routes, and what the routes did. */
export interface ProbeState {
  db(): Db;
  /** Handler runs of POST /probe/orders (validation failures and replays never get here). */
  calls: number;
  /** The next N runs of POST /probe/orders fail with a plain Error (a 500). */
  failures: number;
  /** While true, POST /probe/orders answers 429 as a rate limiter in front of a command would. */
  limited: boolean;
  /** POST /probe/slow waits here before it writes. */
  slow: ReturnType<typeof gate>;
  /** How long POST /probe/orders takes after writing (widens the race window in concurrency tests). */
  delayMs: number;
}

export function probeState(db: () => Db): ProbeState {
  return { db, calls: 0, failures: 0, limited: false, slow: gate(), delayMs: 0 };
}

export const PROBE_TABLE = 'probe_order';

const OrderBody = Type.Object({ sku: Type.String(), qty: Type.Integer({ minimum: 1 }) });
const Order = Type.Object({ id: Type.String(), sku: Type.String(), qty: Type.Integer() });

/**
 * POST /probe/orders (and /probe/orders-b) write one `probe_order` row and answer 201 with a fresh
 * id; qty > 10 is a 422 from the handler. POST /probe/slow does the same after a gate.
 * POST /probe/sessions opts out of idempotency. GET /probe/orders counts rows.
 */
export function idempotencyProbes(state: ProbeState): FastifyPluginAsync {
  return async (instance) => {
    const app = instance as App;
    const place = async (sku: string, qty: number) => {
      const id = `ord_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
      await sql`insert into probe_order (id, name) values (${id}, ${`${sku}:${id}`})`.execute(state.db());
      return { id, sku, qty };
    };
    const schema = { body: OrderBody, response: { 201: Order } };

    for (const url of ['/probe/orders', '/probe/orders-b']) {
      app.post(url, { schema }, async (request, reply) => {
        state.calls++;
        if (state.limited) throw new AppError(429, 'RATE_LIMITED', 'Too many requests');
        if (state.failures > 0) {
          state.failures--;
          throw new Error('the command failed and rolled back');
        }
        if (request.body.qty > 10) throw new BusinessRuleError('OUT_OF_STOCK', 'Only 10 left.');
        const order = await place(request.body.sku, request.body.qty);
        if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
        return reply.code(201).header('location', `/probe/orders/${order.id}`).send(order);
      });
    }

    app.post('/probe/slow', { schema }, async (request, reply) => {
      await state.slow.pass();
      return reply.code(201).send(await place(request.body.sku, request.body.qty));
    });

    app.post('/probe/sessions', { schema, config: { idempotency: false } }, async (request, reply) =>
      reply.code(201).send(await place(request.body.sku, request.body.qty)),
    );

    app.get('/probe/orders', { schema: { response: { 200: Type.Object({ count: Type.Integer() }) } } }, async () => {
      const res = await sql<{ n: number }>`select count(*)::int as n from probe_order`.execute(state.db());
      return { count: res.rows[0]?.n ?? 0 };
    });
  };
}
