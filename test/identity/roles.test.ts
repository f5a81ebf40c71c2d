import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, permissions } from '../../src/modules/identity/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { auth, countRows, customRole, staffEmail, staffPassword, staffSession } from './staff.helpers.js';

let t: TestApp;
let owner: string;
beforeAll(async () => {
  t = await createTestApp();
  owner = (await staffSession(t)).token;
});
afterAll(async () => {
  await t?.close();
});

interface Role {
  id: string;
  name: string;
  description: string | null;
  builtin: boolean;
  permissions: string[];
  staffCount: number;
}

let seq = 0;
const roleName = (label = 'role') => `${label} ${Date.now()} ${++seq}`;
const req = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token?: string, payload?: object) =>
  t.app.inject({ method, url, ...(token ? { headers: auth(token) } : {}), ...(payload ? { payload } : {}) });
const create = (payload: object, token = owner) => req('POST', '/v1/admin/roles', token, payload);
const update = (id: string, payload: object, token = owner) => req('PATCH', `/v1/admin/roles/${id}`, token, payload);
const remove = (id: string, token = owner) => req('DELETE', `/v1/admin/roles/${id}`, token);
const list = async (token = owner) => req('GET', '/v1/admin/roles', token);
const roleRows = async () => t.db.db.selectFrom('role').selectAll().orderBy('id').execute();
const auditRows = (id: string) =>
  t.db.db.selectFrom('audit_log').selectAll().where('target_id', '=', id).orderBy('at').execute();
/** An audit row's changes; on PostgreSQL they currently come back JSON-encoded (see the report). */
const staffList = (token: string) => req('GET', '/v1/admin/staff', token);

type Res = Awaited<ReturnType<typeof req>>;

/** Runs `refuse`, expects `code`, and proves no role, staff or audit row changed. */
async function refused(refuse: () => Promise<Res>, code: string) {
  const [roles, staff, audit] = [await roleRows(), await countRows(t, 'staff_user'), await countRows(t, 'audit_log')];
  const res = await refuse();
  expect(res.json()).toMatchObject({ code });
  expect(await roleRows()).toEqual(roles);
  expect(await countRows(t, 'staff_user')).toBe(staff);
  expect(await countRows(t, 'audit_log')).toBe(audit);
  return res;
}

async function newRole(perms: string[], token = owner): Promise<Role> {
  const res = await create({ name: roleName(), permissions: perms }, token);
  expect(res.statusCode).toBe(201);
  return res.json<Role>();
}

describe('creating and listing roles', () => {
  it('creates a role (201) with canonical permissions; it is listed with its staffCount and audited', async () => {
    const name = roleName('packers');
    const res = await create({
      name: `  ${name} `,
      description: 'Pack orders',
      permissions: ['staff:read', 'catalog:read', 'orders:read'],
    });
    expect(res.statusCode).toBe(201);
    const role = res.json<Role>();
    expect(role).toEqual({
      id: expect.stringMatching(/^role_/),
      name,
      description: 'Pack orders',
      builtin: false,
      permissions: ['catalog:read', 'orders:read', 'staff:read'],
      staffCount: 0,
    });
    expect(res.headers.location).toBe(`/v1/admin/roles/${role.id}`);
    expect((await req('GET', `/v1/admin/roles/${role.id}`, owner)).json()).toEqual(role);

    await createStaff(t.db.db, { email: staffEmail(), password: staffPassword, roleId: role.id });
    const disabled = await createStaff(t.db.db, { email: staffEmail(), password: staffPassword, roleId: role.id });
    await t.db.db.updateTable('staff_user').set({ status: 'disabled' }).where('id', '=', disabled.id).execute();
    const body = (await list()).json<{ data: Role[]; permissions: string[] }>();
    expect(body.permissions).toEqual([...permissions]);
    expect(body.data.find((r) => r.id === role.id)).toEqual({ ...role, staffCount: 1 });
    expect(body.data.slice(0, 6).map((r) => r.builtin)).toEqual([true, true, true, true, true, true]);
    expect(body.data.find((r) => r.id === 'role_owner')?.permissions).toEqual([...permissions]);
    const [audit] = await auditRows(role.id);
    expect(audit?.action).toBe('role.created');
    expect(audit?.changes).toEqual({ name, permissions: role.permissions });
  });

  it('refuses an unknown permission with 400 naming /body/permissions/<index>, and other bad bodies', async () => {
    const res = await refused(
      () => create({ name: roleName(), permissions: ['catalog:read', 'orders:read', 'root'] }),
      'VALIDATION_FAILED',
    );
    expect(res.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toEqual(['/body/permissions/2']);
    for (const payload of [
      { name: roleName(), permissions: ['catalog:read', 'catalog:read'] },
      { name: '   ', permissions: [] },
      { name: roleName() },
      { name: roleName(), permissions: [], builtin: true },
    ]) {
      await refused(() => create(payload), 'VALIDATION_FAILED');
    }
  });

  it('refuses a taken name with 409 ROLE_NAME_TAKEN, on create and on rename', async () => {
    const a = await newRole(['catalog:read']);
    const b = await newRole(['catalog:read']);
    const dup = await refused(() => create({ name: a.name, permissions: [] }), 'ROLE_NAME_TAKEN');
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ errors: [{ path: '/body/name' }] });
    await refused(() => create({ name: 'owner', permissions: [] }), 'ROLE_NAME_TAKEN');
    await refused(() => update(b.id, { name: ` ${a.name}` }), 'ROLE_NAME_TAKEN');
  });

  it('answers 404 for an unknown role, 401 without credentials and 403 to read-only staff on writes', async () => {
    expect((await req('GET', '/v1/admin/roles/role_nope', owner)).statusCode).toBe(404);
    expect((await update('role_nope', { name: 'x' })).statusCode).toBe(404);
    expect((await remove('role_nope')).statusCode).toBe(404);
    const ro = await staffSession(t, 'role_read_only');
    expect((await list(ro.token)).statusCode).toBe(200);
    const target = await newRole([]);
    for (const call of [
      () => create({ name: roleName(), permissions: [] }, ro.token),
      () => update(target.id, { name: roleName() }, ro.token),
      () => remove(target.id, ro.token),
    ]) {
      const res = await refused(call, 'PERMISSION_DENIED');
      expect(res.json()).toMatchObject({ permission: 'staff:manage' });
    }
    expect((await req('GET', '/v1/admin/roles')).statusCode).toBe(401);
    await refused(
      () => req('POST', '/v1/admin/roles', undefined, { name: roleName(), permissions: [] }),
      'UNAUTHENTICATED',
    );
    await refused(() => req('DELETE', `/v1/admin/roles/${target.id}`), 'UNAUTHENTICATED');
  });
});

describe('editing and deleting roles', () => {
  it('built-in roles cannot be edited or deleted (409 ROLE_BUILTIN)', async () => {
    for (const id of ['role_owner', 'role_read_only']) {
      const res = await refused(() => update(id, { permissions: [] }), 'ROLE_BUILTIN');
      expect(res.statusCode).toBe(409);
      await refused(() => remove(id), 'ROLE_BUILTIN');
    }
  });

  it('a permission change applies to holders on their next request and is audited with from/to', async () => {
    const role = await newRole(['catalog:read']);
    const holder = await staffSession(t, role.id);
    expect((await staffList(holder.token)).statusCode).toBe(403);
    const res = await update(role.id, { permissions: ['staff:read', 'catalog:read'], description: 'Can see staff' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ permissions: ['catalog:read', 'staff:read'], description: 'Can see staff' });
    expect((await staffList(holder.token)).statusCode).toBe(200);
    expect((await update(role.id, { permissions: ['catalog:read'], description: null })).statusCode).toBe(200);
    expect((await staffList(holder.token)).statusCode).toBe(403);
    const updates = (await auditRows(role.id)).filter((a) => a.action === 'role.updated');
    expect(updates.map((a) => a.changes)).toEqual([
      {
        permissions: { from: ['catalog:read'], to: ['catalog:read', 'staff:read'] },
        description: { from: null, to: 'Can see staff' },
      },
      {
        permissions: { from: ['catalog:read', 'staff:read'], to: ['catalog:read'] },
        description: { from: 'Can see staff', to: null },
      },
    ]);
    // A patch that changes nothing writes nothing.
    const [rows, audit] = [await roleRows(), await countRows(t, 'audit_log')];
    expect((await update(role.id, { name: role.name, permissions: ['catalog:read'] })).statusCode).toBe(200);
    expect(await roleRows()).toEqual(rows);
    expect(await countRows(t, 'audit_log')).toBe(audit);
  });

  it('refuses to delete a role still held, even by a disabled member (409 ROLE_IN_USE); an unused one goes (204)', async () => {
    const role = await newRole(['catalog:read']);
    const holder = await createStaff(t.db.db, { email: staffEmail(), password: staffPassword, roleId: role.id });
    await t.db.db.updateTable('staff_user').set({ status: 'disabled' }).where('id', '=', holder.id).execute();
    const res = await refused(() => remove(role.id), 'ROLE_IN_USE');
    expect(res.statusCode).toBe(409);
    await t.db.db.updateTable('staff_user').set({ role_id: 'role_support' }).where('id', '=', holder.id).execute();
    const gone = await remove(role.id);
    expect(gone.statusCode).toBe(204);
    expect(gone.body).toBe('');
    expect((await req('GET', `/v1/admin/roles/${role.id}`, owner)).statusCode).toBe(404);
    expect((await auditRows(role.id)).map((a) => a.action)).toEqual(['role.created', 'role.deleted']);
  });
});

describe('privilege escalation through roles', () => {
  it('a staff:manage-only manager cannot create, edit or delete a role with permissions it lacks', async () => {
    const manager = await staffSession(t, await customRole(t, ['staff:manage', 'staff:read']));
    const wider = await newRole(['catalog:write', 'staff:read']);
    const narrow = await newRole(['staff:read']);
    const denied = await refused(
      () => create({ name: roleName(), permissions: ['staff:read', 'catalog:read'] }, manager.token),
      'PERMISSION_DENIED',
    );
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ permission: 'catalog:read' });
    await refused(() => update(wider.id, { name: roleName() }, manager.token), 'PERMISSION_DENIED');
    await refused(() => update(wider.id, { permissions: ['staff:read'] }, manager.token), 'PERMISSION_DENIED');
    await refused(() => remove(wider.id, manager.token), 'PERMISSION_DENIED');
    const grow = await refused(
      () => update(narrow.id, { permissions: ['staff:read', 'keys:manage'] }, manager.token),
      'PERMISSION_DENIED',
    );
    expect(grow.json()).toMatchObject({ permission: 'keys:manage' });
    // Within its own permissions it may act.
    const own = await create({ name: roleName(), permissions: ['staff:read', 'staff:manage'] }, manager.token);
    expect(own.statusCode).toBe(201);
    expect((await update(narrow.id, { permissions: ['staff:manage'] }, manager.token)).statusCode).toBe(200);
    expect((await remove(narrow.id, manager.token)).statusCode).toBe(204);
  });
});
