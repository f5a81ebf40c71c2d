import { Type } from 'typebox';
import { requestAuditContext } from '../../platform/audit/audit.js';
import { etagOf, expectedVersion } from '../../platform/http/if-match.js';
import type { App } from '../../platform/http/types.js';
import {
  AdminCustomerDetail,
  AdminCustomerSummary,
  CustomerListQuery,
  CustomerNote,
  CustomerPatchBody,
  NoteBody,
} from './customers.admin.schemas.js';
import {
  addCustomerNote,
  type CustomerAdminDeps,
  deleteCustomerNote,
  getCustomerForStaff,
  listCustomersForStaff,
  setCustomerStatus,
  updateCustomerForStaff,
} from './customers.admin.service.js';

const tags = ['admin: customers'];
const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const NoteParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  noteId: Type.String({ minLength: 1, maxLength: 100 }),
});
const IfMatch = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'the customer `version` you read (required)' })),
});

/**
 * Staff routes on customers: list and search, detail (addresses, notes, orders), names/phone/tags, notes,
 * disable/enable (`customers:read` / `customers:write`). The privacy routes (export, erase) live in `privacy`.
 */
export async function customerAdminRoutes(app: App, deps: CustomerAdminDeps) {
  app.get(
    '/v1/admin/customers',
    {
      config: { auth: { permission: 'customers:read' } },
      schema: {
        tags,
        summary: 'Customers: search email, name or phone; filter by status, tag, creation date; sort; cursor paging',
        querystring: CustomerListQuery,
        response: {
          200: Type.Object({
            data: Type.Array(AdminCustomerSummary),
            nextCursor: Type.Union([Type.Null(), Type.String()]),
          }),
        },
      },
    },
    async (request) => listCustomersForStaff(deps, request.query),
  );

  app.get(
    '/v1/admin/customers/:id',
    {
      config: { auth: { permission: 'customers:read' } },
      schema: {
        tags,
        summary: 'One customer: profile, addresses, notes, tags, status, order count and recent orders',
        params: Id,
        response: { 200: AdminCustomerDetail },
      },
    },
    async (request, reply) => {
      const customer = await getCustomerForStaff(deps, request.params.id);
      reply.header('etag', etagOf(customer.version));
      return customer;
    },
  );

  app.patch(
    '/v1/admin/customers/:id',
    {
      config: { auth: { permission: 'customers:write' } },
      schema: {
        tags,
        summary: 'Change a customer’s names, phone or tags (If-Match: the `version` you read)',
        description:
          '`tags` replaces the whole set; `null` clears a name or the phone. 409 `CUSTOMER_ERASED` once erased.',
        params: Id,
        headers: IfMatch,
        body: CustomerPatchBody,
        response: { 200: AdminCustomerDetail },
      },
    },
    async (request, reply) => {
      const customer = await updateCustomerForStaff(
        deps,
        requestAuditContext(request),
        request.params.id,
        expectedVersion(request.headers['if-match']),
        request.body,
      );
      reply.header('etag', etagOf(customer.version));
      return customer;
    },
  );

  app.post(
    '/v1/admin/customers/:id/notes',
    {
      config: { auth: { permission: 'customers:write' } },
      schema: {
        tags,
        summary: 'Add a staff note (the author and time are recorded)',
        params: Id,
        body: NoteBody,
        response: { 201: CustomerNote },
      },
    },
    async (request, reply) => {
      const note = await addCustomerNote(
        deps,
        requestAuditContext(request),
        request.params.id,
        request.body.body.trim(),
      );
      return reply.code(201).send(note);
    },
  );

  app.delete(
    '/v1/admin/customers/:id/notes/:noteId',
    {
      config: { auth: { permission: 'customers:write' } },
      schema: { tags, summary: 'Remove a staff note', params: NoteParams, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await deleteCustomerNote(deps, requestAuditContext(request), request.params.id, request.params.noteId);
      return reply.code(204).send(null);
    },
  );

  for (const status of ['disabled', 'enabled'] as const) {
    const verb = status === 'disabled' ? 'disable' : 'enable';
    app.post(
      `/v1/admin/customers/:id/${verb}`,
      {
        config: { auth: { permission: 'customers:write' } },
        schema: {
          tags,
          summary:
            status === 'disabled'
              ? 'Disable a customer: every session ends at once and login is refused (403 `CUSTOMER_DISABLED`)'
              : 'Enable a disabled customer again (they sign in anew)',
          params: Id,
          response: { 200: AdminCustomerDetail },
        },
      },
      async (request) => setCustomerStatus(deps, requestAuditContext(request), request.params.id, status),
    );
  }
}
