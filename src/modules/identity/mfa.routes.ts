import { Type } from 'typebox';
import type { SecretBox } from '../../platform/crypto/secret-box.js';
import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import { auditContext } from './audit.js';
import { UnauthenticatedError } from './identity.errors.js';
import { confirmMfaEnrolment, disableMfa, regenerateRecoveryCodes, startMfaEnrolment } from './mfa.service.js';

export interface MfaRouteDeps {
  db: Db;
  secretBox?: SecretBox | undefined;
}

const Code = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

/**
 * A staff member's own TOTP enrolment. Responses carry secrets: never stored for idempotent replay,
 * never cached. Open to a session that still has to enrol (`mfaEnrolment`).
 */
export async function mfaRoutes(app: App, deps: MfaRouteDeps) {
  app.post(
    '/v1/admin/staff/me/mfa',
    {
      config: { auth: 'staff', idempotency: false, mfaEnrolment: true },
      schema: {
        tags: ['admin: staff'],
        summary: 'Start MFA enrolment: a new TOTP secret (confirm it with a code)',
        response: { 200: Type.Object({ otpauthUri: Type.String(), secret: Type.String() }) },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      if (p.type !== 'staff') throw new UnauthenticatedError();
      const started = await startMfaEnrolment(deps.db, deps.secretBox, p.id);
      reply.header('cache-control', 'no-store');
      return { otpauthUri: started.otpauthUri, secret: started.secret };
    },
  );

  app.post(
    '/v1/admin/staff/me/mfa/confirm',
    {
      config: { auth: 'staff', idempotency: false, mfaEnrolment: true },
      schema: {
        tags: ['admin: staff'],
        summary: 'Confirm MFA enrolment with a code; returns 10 single-use recovery codes, once',
        body: Code,
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }) },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      if (p.type !== 'staff') throw new UnauthenticatedError();
      const done = await confirmMfaEnrolment(
        deps.db,
        deps.secretBox,
        { staffId: p.id, sessionId: p.sessionId, code: request.body.code },
        auditContext(p, request),
      );
      reply.header('cache-control', 'no-store');
      return done;
    },
  );

  app.delete(
    '/v1/admin/staff/me/mfa',
    {
      config: { auth: 'staff', idempotency: false },
      schema: {
        tags: ['admin: staff'],
        summary: 'Turn MFA off (needs a current code or a recovery code)',
        body: Code,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      if (p.type !== 'staff') throw new UnauthenticatedError();
      await disableMfa(deps.db, deps.secretBox, { staffId: p.id, code: request.body.code }, auditContext(p, request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/admin/staff/me/mfa/recovery-codes',
    {
      config: { auth: 'staff', idempotency: false },
      schema: {
        tags: ['admin: staff'],
        summary: 'New recovery codes (needs a current code or a recovery code); the earlier ones stop working',
        body: Code,
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }) },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      if (p.type !== 'staff') throw new UnauthenticatedError();
      const done = await regenerateRecoveryCodes(
        deps.db,
        deps.secretBox,
        { staffId: p.id, code: request.body.code },
        auditContext(p, request),
      );
      reply.header('cache-control', 'no-store');
      return done;
    },
  );
}
