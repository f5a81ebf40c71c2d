import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import { auditContext } from './audit.js';
import {
  ChangePasswordBody,
  NoContent,
  PasswordResetAccepted,
  PasswordResetConfirmBody,
  PasswordResetRequestBody,
} from './customers.schemas.js';
import { UnauthenticatedError } from './identity.errors.js';
import type { InviteMail } from './staff.admin.service.js';
import { changeStaffPassword, confirmStaffPasswordReset, requestStaffPasswordReset } from './staff.password.service.js';

/** Staff password change (signed in) and reset by email (signed out); same shapes as the customer routes. */
export async function staffPasswordRoutes(app: App, deps: { db: Db; mail: InviteMail }) {
  const { db, mail } = deps;

  app.post(
    '/v1/admin/staff/me/password',
    {
      config: { auth: 'staff' },
      schema: {
        tags: ['admin: staff'],
        summary: 'Change your password',
        description:
          'Ends every other session of yours. A wrong current password answers 422 `CURRENT_PASSWORD_INCORRECT` ' +
          'and counts towards the login lockout.',
        body: ChangePasswordBody,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      if (p.type !== 'staff') throw new UnauthenticatedError();
      await changeStaffPassword(db, { id: p.id, sessionId: p.sessionId }, request.body, auditContext(p, request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/admin/auth/password-reset',
    {
      config: { auth: 'public', idempotency: false },
      schema: {
        tags: ['admin: auth'],
        summary: 'Request a staff password-reset email',
        description:
          'Always 202 with the same body; only an active staff member is sent a link (valid 30 minutes, ' +
          'to `<ADMIN_URL>/reset-password?token=…`).',
        body: PasswordResetRequestBody,
        response: { 202: PasswordResetAccepted },
      },
    },
    async (request, reply) => {
      await requestStaffPasswordReset(db, request.body.email, mail);
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/v1/admin/auth/password-reset/confirm',
    {
      config: { auth: 'public', idempotency: false },
      schema: {
        tags: ['admin: auth'],
        summary: 'Set a new staff password with the token from the reset email',
        description:
          'The token works once and ends every session of the member; MFA still applies at the next login. ' +
          'An unknown, used or expired token answers 400 `INVALID_TOKEN` and changes nothing.',
        body: PasswordResetConfirmBody,
        response: { 204: NoContent },
      },
    },
    async (request, reply) => {
      await confirmStaffPasswordReset(db, request.body, auditContext(request.principal, request));
      return reply.code(204).send(null);
    },
  );
}
