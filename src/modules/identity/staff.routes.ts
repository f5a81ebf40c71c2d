import { Type } from 'typebox';
import type { SecretBox } from '../../platform/crypto/secret-box.js';
import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import { apiKeyRoutes } from './api-keys.routes.js';
import { auditContext } from './audit.js';
import { auditRoutes } from './audit.routes.js';
import { UnauthenticatedError } from './identity.errors.js';
import { mfaRoutes } from './mfa.routes.js';
import { roleRoutes } from './roles.routes.js';
import { revokeSession } from './sessions.js';
import { type StaffAdminRouteDeps, staffAdminRoutes } from './staff.admin.routes.js';
import { staffPasswordRoutes } from './staff.password.routes.js';
import {
  getStaffProfile,
  loginStaff,
  logoutStaffEverywhere,
  type StaffProfile,
  updateOwnProfile,
} from './staff.service.js';

export interface StaffRouteDeps extends StaffAdminRouteDeps {
  db: Db;
  secretBox?: SecretBox | undefined;
}

const Login = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    code: Type.Optional(Type.String({ maxLength: 64, description: 'TOTP code or recovery code (MFA accounts)' })),
  },
  { additionalProperties: false },
);

const StaffMe = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  role: Type.Object({ id: Type.String(), name: Type.String() }),
  permissions: Type.Array(Type.String()),
  stockAlerts: Type.Boolean({
    description: 'Emailed when an item runs low or comes back in stock (only with `inventory:read`)',
  }),
  mfaEnabled: Type.Boolean({ description: 'Two-factor authentication (TOTP) is on' }),
  mfaEnrolmentRequired: Type.Boolean({
    description:
      'Your role must use two-factor authentication and you have not enrolled yet: every other admin route answers ' +
      '403 `MFA_ENROLMENT_REQUIRED` until you do (`POST /v1/admin/staff/me/mfa`)',
  }),
});

/** The profile plus what the admin app needs to send a member to MFA enrolment first. */
const meView = (profile: StaffProfile, p: { mfaRequired: boolean }) => ({
  ...profile,
  mfaEnrolmentRequired: p.mfaRequired && !profile.mfaEnabled,
});

const StaffMePatch = Type.Object(
  {
    stockAlerts: Type.Boolean({
      description:
        'Opt in to low-stock and back-in-stock emails (sent while you are active and your role has `inventory:read`)',
    }),
  },
  { additionalProperties: false },
);

/** Staff sign-in/out and profile; also registers MFA, API key, audit log, staff admin and role routes. */
export async function staffRoutes(app: App, deps: StaffRouteDeps) {
  app.post(
    '/v1/admin/auth/sessions',
    {
      // The response is a secret: never stored for idempotent replay.
      config: { auth: 'public', idempotency: false },
      schema: {
        tags: ['admin: auth'],
        summary: 'Staff login: a session token (401 MFA_REQUIRED without a valid `code` when MFA is on)',
        body: Login,
        response: { 201: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }) },
      },
    },
    async (request, reply) => {
      const session = await loginStaff(
        deps.db,
        request.body,
        { ip: request.ip, userAgent: request.headers['user-agent'] ?? null },
        deps.secretBox,
      );
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ token: session.token, expiresAt: session.expiresAt.toISOString() });
    },
  );

  app.delete(
    '/v1/admin/auth/sessions',
    {
      config: { auth: 'staff', mfaEnrolment: true },
      schema: {
        tags: ['admin: auth'],
        summary: 'Sign out everywhere: ends every session of the signed-in member, this one included',
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      if (p.type !== 'staff') throw new UnauthenticatedError();
      await logoutStaffEverywhere(deps.db, p.id, auditContext(p, request));
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/admin/auth/sessions/current',
    {
      config: { auth: 'staff', mfaEnrolment: true },
      schema: {
        tags: ['admin: auth'],
        summary: 'Staff logout: ends the current session',
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      if (p.type !== 'staff') throw new UnauthenticatedError();
      await revokeSession(deps.db, p.sessionId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/admin/staff/me',
    {
      config: { auth: 'staff', mfaEnrolment: true },
      schema: { tags: ['admin: staff'], summary: 'The signed-in staff member', response: { 200: StaffMe } },
    },
    async (request) => {
      const p = request.principal;
      if (p.type !== 'staff') throw new UnauthenticatedError();
      return meView(await getStaffProfile(deps.db, p.id), p);
    },
  );

  app.patch(
    '/v1/admin/staff/me',
    {
      config: { auth: 'staff' },
      schema: {
        tags: ['admin: staff'],
        summary: 'Change your own settings (the stock-alert email opt-in)',
        body: StaffMePatch,
        response: { 200: StaffMe },
      },
    },
    async (request) => {
      const p = request.principal;
      if (p.type !== 'staff') throw new UnauthenticatedError();
      return meView(await updateOwnProfile(deps.db, auditContext(p, request), p.id, request.body), p);
    },
  );

  await mfaRoutes(app, deps);
  await apiKeyRoutes(app, deps);
  await auditRoutes(app, deps);
  await staffAdminRoutes(app, deps);
  await staffPasswordRoutes(app, {
    db: deps.db,
    mail: deps.inviteMail,
  });
  await roleRoutes(app, deps);
}
