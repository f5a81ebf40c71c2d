import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import { NotFoundError } from '../../platform/errors.js';
import { MoneyAmount } from '../../platform/http/schemas.js';
import type { App } from '../../platform/http/types.js';
import { noteOrder } from './notes.service.js';
import { cancelOrder, captureOrder, findGuestOrder } from './order-actions.service.js';
import type { OrderDeps } from './orders.deps.js';
import { listOrders, orderSorts } from './orders.list.js';
import { findOrderView } from './orders.repository.js';
import { OrderDetail, OrderSummary } from './orders.schemas.js';
import { fulfillmentStatuses, orderStatuses, paymentStatuses } from './orders.state.js';

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const MoneyBody = Type.Object(
  { amount: MoneyAmount({ minimum: 1 }), currency: Type.String({ pattern: '^[A-Z]{3}$' }) },
  { additionalProperties: false },
);
/** One state, or several separated by commas (`not_fulfilled,partially_fulfilled`): the dashboard's backlogs. */
const states = (values: readonly string[]) =>
  Type.String({
    pattern: `^(${values.join('|')})(,(${values.join('|')}))*$`,
    description: `one of ${values.join(', ')}; several separated by commas`,
  });
/** Opaque: it carries its sort and the last row's key, so it is only ever the `nextCursor` of the previous page. */
const Cursor = Type.String({ minLength: 1, maxLength: 200, description: '`nextCursor` of the previous page' });
/** Admin order routes: list and filter, detail with timeline, notes (`orders:read` / `orders:write`). */
export async function orderAdminRoutes(app: App, deps: OrderDeps) {
  const { db } = deps;
  const tags = ['admin: orders'];

  app.get(
    '/v1/admin/orders',
    {
      config: { auth: { permission: 'orders:read' } },
      schema: {
        tags,
        summary:
          'Orders: search (number, email, names on the order), filter (statuses, channel, customer, date, total), sort, cursor paging',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(Cursor),
            sort: Type.Optional(
              Type.Union(
                orderSorts.map((s) => Type.Literal(s)),
                { default: 'newest', description: 'newest / oldest: by creation time; total_desc / total_asc' },
              ),
            ),
            status: Type.Optional(states(orderStatuses)),
            paymentStatus: Type.Optional(states(paymentStatuses)),
            fulfillmentStatus: Type.Optional(states(fulfillmentStatuses)),
            customerId: Type.Optional(Type.String({ maxLength: 100 })),
            salesChannelId: Type.Optional(Type.String({ maxLength: 100 })),
            q: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description:
                  'An order number (1042 or #1042), or part of the email or of a shipping/billing name (case and accents ignored)',
              }),
            ),
            createdFrom: Type.Optional(Type.String({ format: 'date-time', description: 'created at or after' })),
            createdTo: Type.Optional(Type.String({ format: 'date-time', description: 'created before' })),
            minTotal: Type.Optional(Type.Integer({ minimum: 0 })),
            maxTotal: Type.Optional(Type.Integer({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ data: Type.Array(OrderSummary), nextCursor: Type.Union([Type.Null(), Type.String()]) }),
        },
      },
    },
    async (request) => listOrders(db, request.query),
  );

  app.get(
    '/v1/admin/orders/:id',
    {
      config: { auth: { permission: 'orders:read' } },
      schema: { tags, summary: 'One order with its lines and timeline', params: Id, response: { 200: OrderDetail } },
    },
    async (request) => {
      const order = await findOrderView(db, request.params.id);
      if (!order) throw new NotFoundError('Order', request.params.id);
      return order;
    },
  );

  app.post(
    '/v1/admin/orders/:id/notes',
    {
      config: { auth: { permission: 'orders:write' } },
      schema: {
        tags,
        summary: 'Add a note to the order timeline',
        params: Id,
        body: Type.Object(
          { note: Type.String({ minLength: 1, maxLength: 5000, pattern: '\\S' }) },
          { additionalProperties: false },
        ),
        response: { 201: OrderDetail },
      },
    },
    async (request, reply) => {
      const order = await noteOrder(db, requestAuditContext(request), request.params.id, request.body.note.trim());
      return reply.code(201).send(order);
    },
  );

  const detail = async (id: string) => {
    const order = await findOrderView(db, id);
    if (!order) throw new NotFoundError('Order', id);
    return order;
  };

  app.post(
    '/v1/admin/orders/:id/capture',
    {
      config: { auth: { permission: 'orders:write' } },
      schema: {
        tags,
        summary: 'Capture the authorized payment, fully (no body) or partly; never more than authorized − captured',
        params: Id,
        body: Type.Object({ amount: Type.Optional(MoneyBody) }, { additionalProperties: false }),
        response: { 200: OrderDetail },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      await captureOrder(deps, requestAuditContext(request), request.params.id, request.body.amount);
      return detail(request.params.id);
    },
  );

  app.post(
    '/v1/admin/orders/:id/cancel',
    {
      config: { auth: { permission: 'orders:write' } },
      schema: {
        tags,
        summary: 'Cancel a placed order: releases its stock, voids the authorization or refunds what was captured',
        params: Id,
        body: Type.Object(
          { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
          { additionalProperties: false },
        ),
        response: { 200: OrderDetail },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      await cancelOrder(deps, requestAuditContext(request), request.params.id, request.body.reason ?? null);
      return detail(request.params.id);
    },
  );
}

/** The signed-in customer's orders (another customer's id → 404). */
export async function orderStoreRoutes(app: App, deps: OrderDeps) {
  const { db } = deps;
  const tags = ['store: orders'];
  const customerId = (p: { type: string; id?: string }) => (p.type === 'customer' && p.id ? p.id : '');

  app.get(
    '/v1/store/customers/me/orders',
    {
      config: { auth: 'customer' },
      schema: {
        tags,
        summary: 'My orders, newest first',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ data: Type.Array(OrderSummary), nextCursor: Type.Union([Type.Null(), Type.String()]) }),
        },
      },
    },
    async (request) =>
      listOrders(db, { ...request.query, customerId: customerId(request.principal), placedOnly: true }),
  );

  app.get(
    '/v1/store/customers/me/orders/:id',
    {
      config: { auth: 'customer' },
      schema: { tags, summary: 'One of my orders', params: Id, response: { 200: OrderDetail } },
    },
    async (request) => {
      const order = await findOrderView(db, request.params.id, {
        customerId: customerId(request.principal),
        forCustomer: true,
      });
      if (!order) throw new NotFoundError('Order', request.params.id);
      return order;
    },
  );

  app.post(
    '/v1/store/orders/lookup',
    {
      config: { auth: 'public', idempotency: false },
      schema: {
        tags,
        summary: 'A guest finds their order by number and email (both must match; 404 otherwise)',
        body: Type.Object(
          {
            number: Type.Integer({ minimum: 1 }),
            email: Type.String({ minLength: 3, maxLength: 254 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: OrderDetail },
      },
    },
    async (request) => {
      const id = await findGuestOrder(deps, request.body.number, request.body.email);
      const order = await findOrderView(db, id, { forCustomer: true });
      if (!order) throw new NotFoundError('Order');
      return order;
    },
  );
}
