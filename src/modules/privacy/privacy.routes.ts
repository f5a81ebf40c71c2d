import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import { EXPORT_FORMAT, eraseCustomerData, exportCustomerData } from './privacy.service.js';

const tags = ['admin: customers'];
const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const Count = Type.Integer({ minimum: 0 });

const ExportDocument = Type.Object(
  {
    format: Type.Literal(EXPORT_FORMAT),
    exportedAt: Type.String({ format: 'date-time' }),
    customerId: Type.String(),
    profile: Type.Object({}, { additionalProperties: true }),
    consents: Type.Object({}, { additionalProperties: true }),
    addresses: Type.Array(Type.Unknown()),
    notes: Type.Array(Type.Unknown()),
    sessions: Type.Array(Type.Unknown()),
    oneTimeTokens: Type.Array(Type.Unknown()),
    carts: Type.Array(Type.Unknown()),
    orders: Type.Array(Type.Unknown()),
    payments: Type.Array(Type.Unknown()),
    notifications: Type.Array(Type.Unknown()),
    auditLog: Type.Array(Type.Unknown()),
  },
  {
    additionalProperties: true,
    description:
      'Everything held about the customer: profile, consents, addresses, staff notes, sessions (no tokens), one-time links, carts, orders (lines, addresses, fulfilments, returns, timeline), payments with their ledger (refunds), emails sent, audit entries.',
  },
);

const ErasureResult = Type.Object({
  customerId: Type.String(),
  alreadyErased: Type.Boolean({ description: 'It had been erased before: nothing changed this time' }),
  counts: Type.Object({
    addresses: Count,
    notes: Count,
    sessions: Count,
    tokens: Count,
    carts: Count,
    orders: Count,
    gatewayEvents: Count,
    notifications: Count,
    events: Count,
  }),
});

/** Privacy requests on a customer: export (`customers:export`) and erase (`customers:erase`). */
export async function privacyRoutes(app: App, deps: { db: Db }) {
  app.get(
    '/v1/admin/customers/:id/export',
    {
      // Stricter than customers:read: it discloses orders, payments, sessions and audit entries in one file.
      config: { auth: { permission: 'customers:export' } },
      schema: {
        tags,
        summary: 'Export everything held about a customer (a JSON download) — the access request',
        params: Id,
        response: { 200: ExportDocument },
      },
    },
    async (request, reply) => {
      const doc = await exportCustomerData(deps.db, request.params.id);
      reply.header('content-disposition', `attachment; filename="customer-${request.params.id}.json"`);
      reply.header('cache-control', 'no-store');
      return doc;
    },
  );

  app.post(
    '/v1/admin/customers/:id/erase',
    {
      config: { auth: { permission: 'customers:erase' } },
      schema: {
        tags,
        summary: 'Erase a customer’s personal data (irreversible; confirm with their email) — the erasure request',
        description:
          'Names, emails, phone and addresses are replaced or removed in the account, carts and orders; the password and sessions are deleted; orders and payments stay for the books, no longer linked to the customer. Audited; announces `customer.erased`. Repeating it changes nothing (`alreadyErased`). 422 `ERASURE_NOT_CONFIRMED` when `confirm` is not their email.',
        params: Id,
        body: Type.Object(
          { confirm: Type.String({ minLength: 1, maxLength: 254, description: "the customer's email, typed" }) },
          { additionalProperties: false },
        ),
        response: { 200: ErasureResult },
      },
    },
    async (request) =>
      eraseCustomerData(deps.db, requestAuditContext(request), request.params.id, request.body.confirm),
  );
}
