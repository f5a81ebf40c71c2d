import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { App } from '../../platform/http/types.js';
import type { OrderDeps } from './orders.deps.js';
import { refundOrder } from './refunds.service.js';
import { RefundBody, RefundResult } from './returns.schemas.js';

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

/** Staff refunds of an order's captured payments (`orders:refund`). */
export async function refundRoutes(app: App, deps: OrderDeps): Promise<void> {
  app.post(
    '/v1/admin/orders/:id/refunds',
    {
      config: { auth: { permission: 'orders:refund' } },
      schema: {
        tags: ['admin: orders'],
        summary: 'Refund part or all of an order to its captured payments (never more than captured − refunded)',
        description:
          "Spread over the order's payments oldest first. 422 REFUND_AMOUNT_EXCEEDED when the order holds less " +
          "(nothing is refunded); the customer gets an email; the order's payment status follows.",
        params: Id,
        body: RefundBody,
        response: { 201: RefundResult },
      },
    },
    async (request, reply) => {
      const result = await refundOrder(deps, requestAuditContext(request), {
        orderId: request.params.id,
        amount: request.body.amount,
        reason: request.body.reason?.trim(),
        returnId: request.body.returnId,
      });
      return reply.code(201).send(result);
    },
  );
}
