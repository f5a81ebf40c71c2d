import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import { IdCursor } from '../../platform/http/schemas.js';
import type { App } from '../../platform/http/types.js';
import { authorize } from '../identity/index.js';
import type { OrderDeps } from './orders.deps.js';
import { refundRoutes } from './refunds.routes.js';
import { planRefund, refundOrder } from './refunds.service.js';
import { ReturnNotFoundError } from './returns.errors.js';
import { receiveReturn } from './returns.receive.js';
import { findReturnView, listOrderReturns, listReturns, orderVisible } from './returns.repository.js';
import {
  CreateReturnBody,
  oneOfStatus,
  ReceiveResult,
  ReceiveReturnBody,
  RejectReturnBody,
  ReturnList,
  ReturnView,
  type ReturnViewT,
} from './returns.schemas.js';
import { approveReturn, rejectReturn, requestReturn } from './returns.service.js';

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
const customerId = (p: { type: string; id?: string }) => (p.type === 'customer' && p.id ? p.id : '');
/** Customers see that staff opened a return, not which staff member. */
const forCustomer = (r: ReturnViewT): ReturnViewT =>
  r.requestedBy.type === 'customer' ? r : { ...r, requestedBy: { type: r.requestedBy.type, id: null } };

/** Return and refund routes: customers ask for returns of their own orders; staff decide, receive and refund. */
export async function returnRoutes(app: App, deps: OrderDeps): Promise<void> {
  await storeReturnRoutes(app, deps);
  await adminReturnRoutes(app, deps);
  await refundRoutes(app, deps);
}

async function storeReturnRoutes(app: App, deps: OrderDeps) {
  const { db } = deps;
  const tags = ['store: orders'];

  app.post(
    '/v1/store/customers/me/orders/:id/returns',
    {
      config: { auth: 'customer' },
      schema: {
        tags,
        summary: 'Ask to return shipped items of one of my orders, with a reason per line',
        params: Id,
        body: CreateReturnBody,
        response: { 201: ReturnView },
      },
    },
    async (request, reply) => {
      const created = await requestReturn(db, requestAuditContext(request), {
        orderId: request.params.id,
        customerId: customerId(request.principal),
        lines: request.body.lines,
        note: request.body.note?.trim(),
      });
      return reply.code(201).send(forCustomer(created));
    },
  );

  app.get(
    '/v1/store/customers/me/orders/:id/returns',
    {
      config: { auth: 'customer' },
      schema: {
        tags,
        summary: 'The returns of one of my orders, oldest first',
        params: Id,
        response: { 200: ReturnList },
      },
    },
    async (request) => {
      // Another customer's order is "not found", never "forbidden".
      if (!(await orderVisible(db, request.params.id, customerId(request.principal)))) {
        throw new NotFoundError('Order', request.params.id);
      }
      return { data: (await listOrderReturns(db, request.params.id)).map(forCustomer), nextCursor: null };
    },
  );
}

async function adminReturnRoutes(app: App, deps: OrderDeps) {
  const { db } = deps;
  const tags = ['admin: returns'];
  const view = async (id: string) => {
    const found = await findReturnView(db, id);
    if (!found) throw new ReturnNotFoundError(id);
    return found;
  };

  app.post(
    '/v1/admin/orders/:id/returns',
    {
      config: { auth: { permission: 'orders:write' } },
      schema: {
        tags,
        summary: 'Open a return for shipped items of an order (on behalf of the customer)',
        params: Id,
        body: CreateReturnBody,
        response: { 201: ReturnView },
      },
    },
    async (request, reply) => {
      const created = await requestReturn(db, requestAuditContext(request), {
        orderId: request.params.id,
        lines: request.body.lines,
        note: request.body.note?.trim(),
      });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/v1/admin/returns',
    {
      config: { auth: { permission: 'orders:read' } },
      schema: {
        tags,
        summary: 'Returns, newest first; filter by status and order',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(IdCursor('returnRequest')),
            status: Type.Optional(oneOfStatus()),
            orderId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ReturnList },
      },
    },
    async (request) => listReturns(db, request.query),
  );

  app.get(
    '/v1/admin/returns/:id',
    {
      config: { auth: { permission: 'orders:read' } },
      schema: { tags, summary: 'One return with its lines', params: Id, response: { 200: ReturnView } },
    },
    async (request) => view(request.params.id),
  );

  app.post(
    '/v1/admin/returns/:id/approve',
    {
      config: { auth: { permission: 'orders:write' } },
      schema: {
        tags,
        summary: 'Approve a requested return (emails the customer)',
        params: Id,
        response: { 200: ReturnView },
      },
    },
    async (request) => {
      await approveReturn(db, requestAuditContext(request), deps.mail, request.params.id);
      return view(request.params.id);
    },
  );

  app.post(
    '/v1/admin/returns/:id/reject',
    {
      config: { auth: { permission: 'orders:write' } },
      schema: {
        tags,
        summary: 'Reject a return that was not received yet; its items can be asked for again',
        params: Id,
        body: RejectReturnBody,
        response: { 200: ReturnView },
      },
    },
    async (request) => {
      await rejectReturn(db, requestAuditContext(request), request.params.id, request.body.reason.trim());
      return view(request.params.id);
    },
  );

  app.post(
    '/v1/admin/returns/:id/receive',
    {
      config: { auth: { permission: 'orders:fulfil' } },
      schema: {
        tags,
        summary: 'Receive an approved return: count what arrived, restock chosen lines, optionally refund',
        description:
          'Lines not listed count as not received. `refund` (needs orders:refund too) runs after the receipt is saved; ' +
          'if it is refused then, the receipt stands and `refundError` says why.',
        params: Id,
        body: ReceiveReturnBody,
        response: { 200: ReceiveResult },
      },
    },
    async (request) => {
      const actor = requestAuditContext(request);
      const returnId = request.params.id;
      const { refund } = request.body;
      if (refund) {
        authorize(request.principal, { permission: 'orders:refund' });
        const head = await view(returnId);
        // Refuse an impossible refund before anything is received (nothing changes on a 422).
        await planRefund(db, { orderId: head.orderId, amount: refund.amount, returnId });
      }
      const { orderId } = await receiveReturn(deps, actor, { returnId, lines: request.body.lines });
      let refunded = null;
      let refundError = null;
      if (refund) {
        try {
          refunded = await refundOrder(deps, actor, {
            orderId,
            amount: refund.amount,
            reason: refund.reason,
            returnId,
          });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          request.log.warn({ err, returnId }, 'return received, refund refused');
          refundError = { code: err.code, detail: err.detail ?? err.title };
        }
      }
      return { return: await view(returnId), refund: refunded, refundError };
    },
  );
}
