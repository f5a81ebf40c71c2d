import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, permissions } from '../../src/modules/identity/index.js';
import { OWNER_ROLE_ID, type StaffActor } from '../../src/modules/identity/staff.actor.js';
import { updateStaff } from '../../src/modules/identity/staff.admin.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { usingPostgres } from '../support/db.js';
import { auth, countRows, customRole, staffEmail, staffLogin, staffPassword, staffSession } from './staff.helpers.js';

let t: TestApp;
let owner: { id: string; token: string };
beforeAll(async () => {
  t = await createTestApp();
  owner = await staffSession(t);
});
afterAll(async () => {
  await t?.close();
});

interface Member {
  id: string;
  email: string;
  status: string;
  role: { id: string };
}

const patch = (id: string, payload: Record<string, unknown>, token = owner.token, app = t) =>
  app.app.inject({ method: 'PATCH', url: `/v1/admin/staff/${id}`, headers: auth(token), payload });
const invite = (payload: Record<string, unknown>, token = owner.token) =>
  t.app.inject({ method: 'POST', url: '/v1/admin/staff/invites', headers: auth(token), payload });
const get = (url: string, token?: string) =>
  t.app.inject({ method: 'GET', url, ...(token ? { headers: auth(token) } : {}) });
const row = (id: string, app = t) =>
  app.db.db.selectFrom('staff_user').select(['role_id', 'status']).where('id', '=', id).executeTakeFirstOrThrow();
const counts = async (app = t) => [
  await countRows(app, 'staff_user'),
  await countRows(app, 'audit_log'),
  await countRows(app, 'auth_session'),
];
/** An audit row's changes; on PostgreSQL they currently come back JSON-encoded (see the report). */
const member = async (roleId: string, email = staffEmail()) =>
  (await createStaff(t.db.db, { email, password: staffPassword, roleId })).id;

type Res = Awaited<ReturnType<typeof get>>;

/** Runs `refuse`, expects `status`/`code`, and proves the target and the row counts did not change. */
async function refused(target: string, refuse: () => Promise<Res>, code: string) {
  const [before, was] = [await counts(), await row(target)];
  const res = await refuse();
  expect(res.json()).toMatchObject({ code });
  expect(await counts()).toEqual(before);
  expect(await row(target)).toEqual(was);
  return res;
}

describe('privilege escalation', () => {
  it('a staff:manage-only manager cannot invite to, assign or touch a role with permissions it lacks', async () => {
    const limited = await customRole(t, ['staff:read']);
    const manager = await staffSession(t, await customRole(t, ['staff:manage', 'staff:read']));
    const peer = await member(limited);
    const support = await member('role_support');
    const denied = await refused(
      peer,
      () => invite({ email: staffEmail(), roleId: 'role_support' }, manager.token),
      'PERMISSION_DENIED',
    );
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ permission: 'orders:read' });
    await refused(peer, () => patch(peer, { roleId: 'role_support' }, manager.token), 'PERMISSION_DENIED');
    await refused(peer, () => patch(peer, { roleId: OWNER_ROLE_ID }, manager.token), 'OWNER_ONLY');
    await refused(support, () => patch(support, { status: 'disabled' }, manager.token), 'PERMISSION_DENIED');
    await refused(support, () => patch(support, { roleId: limited }, manager.token), 'PERMISSION_DENIED');
    // Within its own permissions it may act.
    expect((await invite({ email: staffEmail(), roleId: limited }, manager.token)).statusCode).toBe(201);
    expect((await patch(peer, { status: 'disabled' }, manager.token)).statusCode).toBe(200);
  });

  it('an admin cannot grant or remove the owner role or change an owner (403 OWNER_ONLY); an owner can', async () => {
    const admin = await staffSession(t, 'role_admin');
    const support = await member('role_support');
    const other = await staffSession(t, OWNER_ROLE_ID);
    const res = await refused(support, () => patch(support, { roleId: OWNER_ROLE_ID }, admin.token), 'OWNER_ONLY');
    expect(res.statusCode).toBe(403);
    await refused(other.id, () => patch(other.id, { roleId: 'role_admin' }, admin.token), 'OWNER_ONLY');
    await refused(other.id, () => patch(other.id, { status: 'disabled' }, admin.token), 'OWNER_ONLY');
    await refused(support, () => invite({ email: staffEmail(), roleId: OWNER_ROLE_ID }, admin.token), 'OWNER_ONLY');
    // Admins manage everyone else.
    expect((await patch(support, { roleId: 'role_read_only' }, admin.token)).statusCode).toBe(200);

    const promoted = await patch(support, { roleId: OWNER_ROLE_ID });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json<Member>().role.id).toBe(OWNER_ROLE_ID);
    expect((await patch(support, { roleId: 'role_support' })).statusCode).toBe(200);
    expect((await invite({ email: staffEmail(), roleId: OWNER_ROLE_ID })).statusCode).toBe(201);
  });

  it('a secret API key with staff:manage cannot touch the owner role nor grant what it lacks', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: auth(owner.token),
      payload: { name: 'staff-bot', kind: 'secret', permissions: ['staff:manage', 'staff:read'] },
    });
    expect(created.statusCode).toBe(201);
    const key = created.json<{ key: string }>().key;
    const other = await staffSession(t, OWNER_ROLE_ID);
    const peer = await member(await customRole(t, ['staff:read']));
    await refused(peer, () => invite({ email: staffEmail(), roleId: OWNER_ROLE_ID }, key), 'OWNER_ONLY');
    await refused(peer, () => patch(peer, { roleId: OWNER_ROLE_ID }, key), 'OWNER_ONLY');
    await refused(other.id, () => patch(other.id, { status: 'disabled' }, key), 'OWNER_ONLY');
    await refused(other.id, () => patch(other.id, { name: 'Renamed owner' }, key), 'OWNER_ONLY');
    await refused(peer, () => patch(peer, { roleId: 'role_admin' }, key), 'PERMISSION_DENIED');
    const ok = await patch(peer, { name: 'Renamed by key' }, key);
    expect(ok.statusCode).toBe(200);
    const audit = await t.db.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', peer)
      .where('action', '=', 'staff.updated')
      .executeTakeFirstOrThrow();
    expect(audit.actor_type).toBe('api_key');
  });
});

describe('changing yourself', () => {
  it('refuses your own role or status with 409 CANNOT_CHANGE_SELF; your own name is fine', async () => {
    const admin = await staffSession(t, 'role_admin');
    for (const [field, value] of [
      ['roleId', 'role_support'],
      ['status', 'disabled'],
      ['roleId', 'role_admin'],
    ] as const) {
      const res = await refused(admin.id, () => patch(admin.id, { [field]: value }, admin.token), 'CANNOT_CHANGE_SELF');
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ errors: [{ path: `/body/${field}` }] });
    }
    const named = await patch(admin.id, { name: 'Me Myself' }, admin.token);
    expect(named.statusCode).toBe(200);
    expect(named.json()).toMatchObject({ name: 'Me Myself', status: 'active', role: { id: 'role_admin' } });
  });
});

describe('disabling, enabling and role changes', () => {
  it('disabling ends every session at once; re-enabling needs a fresh login', async () => {
    const s = await staffSession(t, 'role_read_only');
    expect((await get('/v1/admin/staff', s.token)).statusCode).toBe(200);
    const res = await patch(s.id, { status: 'disabled' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'disabled' });
    expect((await get('/v1/admin/staff', s.token)).statusCode).toBe(401);
    expect((await staffLogin(t, s.email, staffPassword)).statusCode).toBe(401);
    const audit = await t.db.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', s.id)
      .where('action', '=', 'staff.disabled')
      .executeTakeFirstOrThrow();
    expect(audit.changes).toEqual({ status: { from: 'active', to: 'disabled' } });
    expect(audit.actor_id).toBe(owner.id);

    expect((await patch(s.id, { status: 'active' })).json()).toMatchObject({ status: 'active' });
    expect((await get('/v1/admin/staff', s.token)).statusCode).toBe(401);
    const again = await staffLogin(t, s.email, staffPassword);
    expect(again.statusCode).toBe(201);
    expect((await get('/v1/admin/staff', again.json<{ token: string }>().token)).statusCode).toBe(200);
  });

  it('refuses to activate an invited member (409 INVITE_NOT_ACCEPTED), changing nothing', async () => {
    const inv = (await invite({ email: staffEmail(), roleId: 'role_support' })).json<{ staff: Member }>().staff;
    const res = await refused(inv.id, () => patch(inv.id, { status: 'active' }), 'INVITE_NOT_ACCEPTED');
    expect(res.statusCode).toBe(409);
  });

  it('a role change applies on the very next request and is audited with from/to', async () => {
    const s = await staffSession(t, 'role_support');
    expect((await get('/v1/admin/staff', s.token)).statusCode).toBe(403);
    expect((await patch(s.id, { roleId: 'role_read_only' })).json()).toMatchObject({ role: { id: 'role_read_only' } });
    expect((await get('/v1/admin/staff', s.token)).statusCode).toBe(200);
    expect((await patch(s.id, { roleId: 'role_support' })).statusCode).toBe(200);
    expect((await get('/v1/admin/staff', s.token)).statusCode).toBe(403);
    const audit = await t.db.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', s.id)
      .where('action', '=', 'staff.role_changed')
      .orderBy('at')
      .execute();
    expect(audit.map((a) => a.changes)).toEqual([
      { roleId: { from: 'role_support', to: 'role_read_only' } },
      { roleId: { from: 'role_read_only', to: 'role_support' } },
    ]);
  });

  it('answers 404 for an unknown member or role (naming /body/roleId) and 400 for bad bodies', async () => {
    const s = await member('role_support');
    const res = await refused(s, () => patch(s, { roleId: 'role_nope' }), 'NOT_FOUND');
    expect(res.json()).toMatchObject({ errors: [{ path: '/body/roleId' }] });
    expect((await patch('stf_unknown', { name: 'x' })).statusCode).toBe(404);
    for (const body of [{}, { status: 'invited' }, { name: 'x'.repeat(201) }, { email: 'a@b.co' }]) {
      await refused(s, () => patch(s, body), 'VALIDATION_FAILED');
    }
  });
});

describe('listing staff', () => {
  type Page = { data: Member[]; nextCursor: string | null };
  const list = async (query: string) => {
    const res = await get(`/v1/admin/staff?${query}`, owner.token);
    expect(res.statusCode).toBe(200);
    return res.json<Page>();
  };
  const ids = async (query: string) => (await list(query)).data.map((m) => m.id);

  it('filters by q (email, case-insensitive, % and _ literal), status and roleId', async () => {
    const run = `Lst${Date.now()}`;
    const role = await customRole(t, ['staff:read']);
    const pct = await member('role_support', `${run}.a%b@x.example`);
    const axb = await member(role, `${run}.axb@x.example`);
    const und = await member(role, `${run}.a_b@x.example`);
    const inv = (await invite({ email: `${run}.inv@x.example`, roleId: 'role_support' })).json<{ staff: Member }>();
    await patch(axb, { status: 'disabled' });
    const all = [inv.staff.id, und, axb, pct];
    expect(await ids(`q=${run.toUpperCase()}`)).toEqual(all);
    expect(await ids(`q=${encodeURIComponent(`${run}.a%b`)}`)).toEqual([pct]);
    expect(await ids(`q=${encodeURIComponent(`${run.toLowerCase()}.A_B`)}`)).toEqual([und]);
    expect(await ids(`q=${run}&status=invited`)).toEqual([inv.staff.id]);
    expect(await ids(`q=${run}&status=disabled`)).toEqual([axb]);
    expect(await ids(`q=${run}&status=active`)).toEqual([und, pct]);
    expect(await ids(`roleId=${role}`)).toEqual([und, axb]);
    expect(await ids('q=nobody-has-this-email')).toEqual([]);
    for (const bad of ['status=gone', 'limit=0', 'limit=101', 'q=', 'sort=email']) {
      expect((await get(`/v1/admin/staff?${bad}`, owner.token)).statusCode).toBe(400);
    }
  });

  it('pages newest first with a cursor, returning every member exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    const rows = await t.db.db.selectFrom('staff_user').select('id').execute();
    expect(seen).toHaveLength(rows.length);
    expect(new Set(seen)).toEqual(new Set(rows.map((r) => r.id)));
    expect(seen).toEqual([...seen].sort().reverse());
  });
});

describe('permissions per route', () => {
  it('read-only staff can list and read but not change; anonymous callers get 401', async () => {
    const ro = await staffSession(t, 'role_read_only');
    const target = await member('role_support');
    expect((await get('/v1/admin/staff', ro.token)).statusCode).toBe(200);
    expect((await get(`/v1/admin/staff/${target}`, ro.token)).json()).toMatchObject({ id: target });
    expect((await get('/v1/admin/staff/stf_unknown', ro.token)).statusCode).toBe(404);
    const denied = await refused(target, () => patch(target, { status: 'disabled' }, ro.token), 'PERMISSION_DENIED');
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ permission: 'staff:manage' });
    for (const url of ['/v1/admin/staff', `/v1/admin/staff/${target}`]) expect((await get(url)).statusCode).toBe(401);
    await refused(
      target,
      () => t.app.inject({ method: 'PATCH', url: `/v1/admin/staff/${target}`, payload: { name: 'x' } }),
      'UNAUTHENTICATED',
    );
  });
});

describe('the last active owner', () => {
  let fresh: TestApp;
  let a: { id: string; token: string };
  let b: { id: string; token: string };
  beforeAll(async () => {
    fresh = await createTestApp();
    a = await staffSession(fresh, OWNER_ROLE_ID);
    b = await staffSession(fresh, OWNER_ROLE_ID);
  });
  afterAll(async () => {
    await fresh?.close();
  });
  const activeOwners = async () =>
    (
      await fresh.db.db
        .selectFrom('staff_user')
        .select('id')
        .where('role_id', '=', OWNER_ROLE_ID)
        .where('status', '=', 'active')
        .execute()
    ).map((r) => r.id);

  it('is never demoted or disabled (409 LAST_OWNER), even by an owner whose request began before its own demotion', async () => {
    expect((await activeOwners()).sort()).toEqual([a.id, b.id].sort());
    // b's request was authorised as an owner; then a demotes b before b's change runs.
    const staleB: StaffActor = {
      ctx: { actorType: 'staff', actorId: b.id, ip: null, requestId: null },
      staffId: b.id,
      roleId: OWNER_ROLE_ID,
      permissions: new Set(permissions),
    };
    expect((await patch(b.id, { roleId: 'role_admin' }, a.token, fresh)).statusCode).toBe(200);
    expect(await activeOwners()).toEqual([a.id]);
    const audit = await countRows(fresh, 'audit_log');
    for (const change of [{ roleId: 'role_admin' }, { status: 'disabled' as const }]) {
      await expect(updateStaff(fresh.db.db, staleB, a.id, change)).rejects.toMatchObject({
        status: 409,
        code: 'LAST_OWNER',
      });
    }
    expect(await activeOwners()).toEqual([a.id]);
    expect(await countRows(fresh, 'audit_log')).toBe(audit);
    // Renaming the last owner is fine.
    await expect(updateStaff(fresh.db.db, staleB, a.id, { name: 'Still owner' })).resolves.toMatchObject({
      status: 'active',
    });
    expect((await patch(b.id, { roleId: OWNER_ROLE_ID }, a.token, fresh)).statusCode).toBe(200);
  });

  it.runIf(usingPostgres)('two owners demoting each other at once leave at least one active owner', async () => {
    for (let round = 0; round < 3; round++) {
      const [x, y] = [await staffSession(fresh, OWNER_ROLE_ID), await staffSession(fresh, OWNER_ROLE_ID)];
      // Only x and y are owners: the others step down first.
      for (const id of await activeOwners()) {
        if (id !== x.id && id !== y.id) await patch(id, { roleId: 'role_admin' }, x.token, fresh);
      }
      expect((await activeOwners()).sort()).toEqual([x.id, y.id].sort());
      const results = await Promise.all([
        patch(y.id, round === 1 ? { status: 'disabled' } : { roleId: 'role_admin' }, x.token, fresh),
        patch(x.id, { roleId: 'role_support' }, y.token, fresh),
      ]);
      // One wins; the other is refused: LAST_OWNER when both were authorised as owners, otherwise
      // its (already demoted or disabled) actor no longer may act: 403, or 401 once disabled.
      expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
      const loser = results.find((r) => r.statusCode !== 200);
      expect(['LAST_OWNER', 'OWNER_ONLY', 'PERMISSION_DENIED', 'INVALID_CREDENTIALS']).toContain(
        loser?.json<{ code: string }>().code,
      );
      expect(await activeOwners()).toHaveLength(1);
    }
  });
});
