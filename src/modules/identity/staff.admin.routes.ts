import { Type } from 'typebox';
import type { Db } from '../../platform/db/database.js';
import { IdCursor } from '../../platform/http/schemas.js';
import type { App } from '../../platform/http/types.js';
import { Email } from './customers.schemas.js';
import { staffActor } from './staff.actor.js';
import {
  acceptInvite,
  getStaffMember,
  type InviteMail,
  inviteStaff,
  listStaff,
  resendInvite,
  updateStaff,
} from './staff.admin.service.js';

export interface StaffAdminRouteDeps {
  db: Db;
  /** Where invitation emails link to and which templates they use (read from the config by the app). */
  inviteMail: InviteMail;
}

const tags = ['admin: staff'];
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Status = Type.Union([Type.Literal('invited'), Type.Literal('active'), Type.Literal('disabled')]);
const StaffId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const Name = Type.String({ minLength: 1, maxLength: 200 });

const StaffMember = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Nullable(Type.String()),
  status: Status,
  role: Type.Object({ id: Type.String(), name: Type.String() }),
  mfaEnabled: Type.Boolean(),
  invitedBy: Nullable(Type.String()),
  lastLoginAt: Nullable(Type.String({ format: 'date-time' })),
  stockAlerts: Type.Boolean({ description: 'Opted in to low-stock and back-in-stock emails' }),
  createdAt: Type.String({ format: 'date-time' }),
});

const Invitation = Type.Object({ staff: StaffMember, inviteExpiresAt: Type.String({ format: 'date-time' }) });

/** Staff administration: invitations, the list, role and status changes (`staff:read` / `staff:manage`). */
export async function staffAdminRoutes(app: App, deps: StaffAdminRouteDeps) {
  const { db, inviteMail: mail } = deps;

  app.get(
    '/v1/admin/staff',
    {
      config: { auth: { permission: 'staff:read' } },
      schema: {
        tags,
        summary: 'List staff members, newest first',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(IdCursor('staff')),
            status: Type.Optional(Status),
            roleId: Type.Optional(Type.String({ maxLength: 100 })),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'part of the email or name' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(StaffMember), nextCursor: Nullable(Type.String()) }) },
      },
    },
    async (request) => listStaff(db, request.query),
  );

  app.get(
    '/v1/admin/staff/:id',
    {
      config: { auth: { permission: 'staff:read' } },
      schema: { tags, summary: 'One staff member', params: StaffId, response: { 200: StaffMember } },
    },
    async (request) => getStaffMember(db, request.params.id),
  );

  app.patch(
    '/v1/admin/staff/:id',
    {
      config: { auth: { permission: 'staff:manage' } },
      schema: {
        tags,
        summary: 'Change a staff member’s name, role, status or stock-alert emails (disabling ends their sessions)',
        description:
          'Not your own role or status; only roles whose permissions you hold; the owner role only by owners; never the last active owner.',
        params: StaffId,
        body: Type.Object(
          {
            // Null first: with type coercion on, `null` would otherwise become "" through the string branch.
            name: Type.Optional(Type.Union([Type.Null(), Name])),
            roleId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
            stockAlerts: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: StaffMember },
      },
    },
    async (request) => updateStaff(db, staffActor(request), request.params.id, request.body),
  );

  app.post(
    '/v1/admin/staff/invites',
    {
      config: { auth: { permission: 'staff:manage' } },
      schema: {
        tags,
        summary: 'Invite a staff member by email (a 7-day single-use link to set a password)',
        body: Type.Object(
          {
            email: Email,
            name: Type.Optional(Name),
            roleId: Type.String({ minLength: 1, maxLength: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Invitation },
      },
    },
    async (request, reply) => {
      const invitation = await inviteStaff(db, staffActor(request), request.body, mail);
      reply.header('location', `/v1/admin/staff/${invitation.staff.id}`);
      return reply.code(201).send(invitation);
    },
  );

  app.post(
    '/v1/admin/staff/:id/invite',
    {
      config: { auth: { permission: 'staff:manage' } },
      schema: {
        tags,
        summary: 'Send a fresh invitation (earlier links stop working)',
        params: StaffId,
        response: { 200: Invitation },
      },
    },
    async (request) => resendInvite(db, staffActor(request), request.params.id, mail),
  );

  app.post(
    '/v1/admin/staff/invites/accept',
    {
      // Answers with a session token: never stored for idempotent replay.
      config: { auth: 'public', idempotency: false },
      schema: {
        tags: ['admin: auth'],
        summary: 'Accept an invitation: set the password and sign in',
        body: Type.Object(
          {
            token: Type.String({ minLength: 1, maxLength: 200 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
            name: Type.Optional(Name),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            staffId: Type.String(),
            token: Type.String(),
            expiresAt: Type.String({ format: 'date-time' }),
          }),
        },
      },
    },
    async (request, reply) => {
      const session = await acceptInvite(db, request.body, {
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        requestId: request.id,
      });
      reply.header('cache-control', 'no-store');
      return reply
        .code(201)
        .send({ staffId: session.staffId, token: session.token, expiresAt: session.expiresAt.toISOString() });
    },
  );
}
