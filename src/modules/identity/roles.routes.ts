import { Type } from 'typebox';
import type { Db } from '../../platform/db/database.js';
import type { App } from '../../platform/http/types.js';
import { permissions } from './permissions.js';
import { createRole, deleteRole, getRole, listRoles, updateRole } from './roles.service.js';
import { staffActor } from './staff.actor.js';

const tags = ['admin: roles'];
/**
 * An unknown permission fails validation with the offending index in the path, once: an `enum`
 * reports one error where a union of literals reported one per permission.
 */
const PermissionName = Type.Enum(permissions);
const PermissionList = Type.Array(PermissionName, { maxItems: permissions.length, uniqueItems: true });
const RoleId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const RoleName = Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' });
const Description = Type.String({ maxLength: 500 });

const Role = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.Null(), Type.String()]),
  builtin: Type.Boolean(),
  permissions: Type.Array(Type.String()),
  staffCount: Type.Integer({ description: 'invited and active staff holding the role' }),
});

/** Roles: list (`staff:read`); custom roles created, edited and deleted with `staff:manage`. */
export async function roleRoutes(app: App, deps: { db: Db }) {
  const { db } = deps;

  app.get(
    '/v1/admin/roles',
    {
      config: { auth: { permission: 'staff:read' } },
      schema: {
        tags,
        summary: 'Every role with its permissions, built-ins first; `permissions` lists every known permission',
        response: {
          200: Type.Object({ data: Type.Array(Role), permissions: Type.Array(Type.String()) }),
        },
      },
    },
    async () => ({ data: await listRoles(db), permissions: [...permissions] }),
  );

  app.get(
    '/v1/admin/roles/:id',
    {
      config: { auth: { permission: 'staff:read' } },
      schema: { tags, summary: 'One role', params: RoleId, response: { 200: Role } },
    },
    async (request) => getRole(db, request.params.id),
  );

  app.post(
    '/v1/admin/roles',
    {
      config: { auth: { permission: 'staff:manage' } },
      schema: {
        tags,
        summary: 'Create a custom role (only with permissions you hold yourself)',
        body: Type.Object(
          { name: RoleName, description: Type.Optional(Description), permissions: PermissionList },
          { additionalProperties: false },
        ),
        response: { 201: Role },
      },
    },
    async (request, reply) => {
      const role = await createRole(db, staffActor(request), request.body);
      reply.header('location', `/v1/admin/roles/${role.id}`);
      return reply.code(201).send(role);
    },
  );

  app.patch(
    '/v1/admin/roles/:id',
    {
      config: { auth: { permission: 'staff:manage' } },
      schema: {
        tags,
        summary: 'Edit a custom role; holders get the new permissions on their next request',
        params: RoleId,
        body: Type.Object(
          {
            name: Type.Optional(RoleName),
            description: Type.Optional(Type.Union([Type.Null(), Description])),
            permissions: Type.Optional(PermissionList),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Role },
      },
    },
    async (request) => updateRole(db, staffActor(request), request.params.id, request.body),
  );

  app.delete(
    '/v1/admin/roles/:id',
    {
      config: { auth: { permission: 'staff:manage' } },
      schema: {
        tags,
        summary: 'Delete a custom role that no staff member holds',
        params: RoleId,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteRole(db, staffActor(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
