import { type Selectable, sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.js';
import { UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { queueNotification } from '../../platform/notifications/notifications.js';
import { recordAudit } from './audit.js';
import { normalizeEmail } from './email.js';
import { InvalidTokenError } from './identity.errors.js';
import type { StaffUserTable } from './identity.tables.js';
import { consumeToken, issueToken } from './one-time-tokens.js';
import { assertPasswordPolicy, hashPassword } from './passwords.js';
import { type NewSession, openSession, revokeAllSessions } from './sessions.js';
import { assertMayGrant, assertOwnerFor, findRole, OWNER_ROLE_ID, type StaffActor } from './staff.actor.js';
import {
  CannotChangeSelfError,
  InviteNotAcceptedError,
  LastOwnerError,
  NotInvitedError,
  StaffEmailTakenError,
} from './staff.errors.js';

/**
 * Staff administration: invitations, the staff list, role changes and disabling. Every change
 * writes its audit row in the same transaction; a disabled member's sessions end with the change.
 */

export const INVITE_TTL_SECONDS = 7 * 24 * 3600;

export interface InviteMail {
  adminUrl: string;
  shopName: string;
  templatesDir: string;
}

export interface StaffMember {
  id: string;
  email: string;
  name: string | null;
  status: 'invited' | 'active' | 'disabled';
  role: { id: string; name: string };
  mfaEnabled: boolean;
  invitedBy: string | null;
  lastLoginAt: string | null;
  stockAlerts: boolean;
  createdAt: string;
}

type MemberRow = Pick<
  Selectable<StaffUserTable>,
  'id' | 'email' | 'name' | 'status' | 'mfa_enabled_at' | 'invited_by' | 'last_login_at' | 'stock_alerts' | 'created_at'
> & { role_id: string; role_name: string };

function view(row: MemberRow): StaffMember {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    role: { id: row.role_id, name: row.role_name },
    mfaEnabled: row.mfa_enabled_at !== null,
    invitedBy: row.invited_by,
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    stockAlerts: row.stock_alerts,
    createdAt: row.created_at.toISOString(),
  };
}

function members(db: Db | Tx) {
  return db
    .selectFrom('staff_user as s')
    .innerJoin('role as r', 'r.id', 's.role_id')
    .select([
      's.id',
      's.email',
      's.name',
      's.status',
      's.mfa_enabled_at',
      's.invited_by',
      's.last_login_at',
      's.stock_alerts',
      's.created_at',
      'r.id as role_id',
      'r.name as role_name',
    ]);
}

export async function getStaffMember(db: Db | Tx, id: string): Promise<StaffMember> {
  const row = await members(db).where('s.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('Staff member', id);
  return view(row);
}

export interface StaffListQuery {
  limit: number;
  cursor?: string | undefined;
  status?: StaffMember['status'] | undefined;
  roleId?: string | undefined;
  /** Case-insensitive substring of the email or name. */
  q?: string | undefined;
}

/** Staff members, newest first, one statement per page. */
export async function listStaff(
  db: Db,
  query: StaffListQuery,
): Promise<{ data: StaffMember[]; nextCursor: string | null }> {
  let q = members(db)
    .orderBy('s.id', 'desc')
    .limit(query.limit + 1);
  if (query.cursor) q = q.where('s.id', '<', query.cursor);
  if (query.status) q = q.where('s.status', '=', query.status);
  if (query.roleId) q = q.where('s.role_id', '=', query.roleId);
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('s.email', 'ilike', like), eb('s.name', 'ilike', like)]));
  }
  const rows = await q.execute();
  const data = rows.slice(0, query.limit).map(view);
  return { data, nextCursor: rows.length > query.limit ? (data.at(-1)?.id ?? null) : null };
}

/** Marks every open invitation link of a member as used (a resend or a disable voids them). */
async function voidInvites(tx: Tx, staffId: string): Promise<void> {
  await tx
    .updateTable('one_time_token')
    .set({ used_at: sql`now()` })
    .where('purpose', '=', 'staff_invite')
    .where('subject_id', '=', staffId)
    .where('used_at', 'is', null)
    .execute();
}

async function queueInvite(
  tx: Tx,
  actor: StaffActor,
  invitee: { id: string; email: string; roleName: string },
  mail: InviteMail,
): Promise<Date> {
  const token = await issueToken(tx, 'staff_invite', { type: 'staff', id: invitee.id }, INVITE_TTL_SECONDS);
  const inviter = actor.staffId
    ? await tx.selectFrom('staff_user').select(['name', 'email']).where('id', '=', actor.staffId).executeTakeFirst()
    : undefined;
  await queueNotification(tx, {
    template: 'staff-invite',
    to: invitee.email,
    templatesDir: mail.templatesDir,
    data: {
      shopName: mail.shopName,
      inviter: inviter?.name ?? inviter?.email ?? 'An administrator',
      role: invitee.roleName,
      link: `${mail.adminUrl.replace(/\/+$/, '')}/accept-invite?token=${encodeURIComponent(token)}`,
    },
  });
  return new Date(Date.now() + INVITE_TTL_SECONDS * 1000);
}

/**
 * Invites a staff member: an `invited` row without a password, a 7-day single-use token, and the
 * email, all in one transaction. The inviter can only hand out a role whose permissions they hold.
 */
export async function inviteStaff(
  db: Db,
  actor: StaffActor,
  input: { email: string; name?: string | undefined; roleId: string },
  mail: InviteMail,
): Promise<{ staff: StaffMember; inviteExpiresAt: string }> {
  const email = input.email.trim();
  const id = newId('staff');
  try {
    return await withTransaction(db, async (tx) => {
      const role = await findRole(tx, input.roleId, '/body/roleId');
      assertOwnerFor(actor, role.id);
      assertMayGrant(actor, role.permissions);
      await tx
        .insertInto('staff_user')
        .values({
          id,
          email,
          email_normalized: normalizeEmail(email),
          name: input.name ?? null,
          password_hash: null,
          role_id: role.id,
          status: 'invited',
          invited_by: actor.staffId,
        })
        .execute();
      const expires = await queueInvite(tx, actor, { id, email, roleName: role.name }, mail);
      await recordAudit(tx, actor.ctx, {
        action: 'staff.invited',
        targetType: 'staff_user',
        targetId: id,
        changes: { email, roleId: role.id },
      });
      return { staff: await getStaffMember(tx, id), inviteExpiresAt: expires.toISOString() };
    });
  } catch (err) {
    if (err instanceof UniqueViolationError && err.constraint === 'staff_user_email_normalized_key') {
      throw new StaffEmailTakenError();
    }
    throw err;
  }
}

/**
 * Sends a fresh invitation; earlier links stop working. For members still `invited`, or disabled
 * before they ever accepted (they become `invited` again: there is no other way to revive them).
 */
export async function resendInvite(
  db: Db,
  actor: StaffActor,
  staffId: string,
  mail: InviteMail,
): Promise<{ staff: StaffMember; inviteExpiresAt: string }> {
  return withTransaction(db, async (tx) => {
    const row = await tx
      .selectFrom('staff_user')
      .select(['id', 'email', 'status', 'role_id', 'password_hash'])
      .where('id', '=', staffId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new NotFoundError('Staff member', staffId);
    const neverAccepted = row.status === 'disabled' && row.password_hash === null;
    if (row.status !== 'invited' && !neverAccepted) throw new NotInvitedError();
    const role = await findRole(tx, row.role_id);
    assertOwnerFor(actor, role.id);
    assertMayGrant(actor, role.permissions);
    await voidInvites(tx, staffId);
    if (neverAccepted) {
      await tx
        .updateTable('staff_user')
        .set({ status: 'invited', updated_at: sql`now()` })
        .where('id', '=', staffId)
        .execute();
    }
    const expires = await queueInvite(tx, actor, { id: row.id, email: row.email, roleName: role.name }, mail);
    await recordAudit(tx, actor.ctx, {
      action: 'staff.invite_resent',
      targetType: 'staff_user',
      targetId: staffId,
      changes: neverAccepted ? { status: { from: 'disabled', to: 'invited' } } : {},
    });
    return { staff: await getStaffMember(tx, staffId), inviteExpiresAt: expires.toISOString() };
  });
}

/**
 * Accepts an invitation: the token is consumed and the password set in one transaction, then a
 * session opens (the new member is signed in). A used, expired, superseded or unknown token, or a
 * member disabled meanwhile → 400 INVALID_TOKEN, and nothing changes.
 */
export async function acceptInvite(
  db: Db,
  input: { token: string; password: string; name?: string | undefined },
  client: { ip?: string | null; userAgent?: string | null; requestId?: string | null },
): Promise<NewSession & { staffId: string }> {
  assertPasswordPolicy(input.password, '/body/password');
  const passwordHash = await hashPassword(input.password);
  return withTransaction(db, async (tx) => {
    const subject = await consumeToken(tx, 'staff_invite', input.token);
    if (subject?.type !== 'staff') throw new InvalidTokenError();
    const accepted = await tx
      .updateTable('staff_user')
      .set((eb) => ({
        password_hash: passwordHash,
        status: 'active',
        name: input.name !== undefined ? input.name : eb.ref('name'),
        last_login_at: sql`now()`,
        updated_at: sql`now()`,
      }))
      .where('id', '=', subject.id)
      .where('status', '=', 'invited')
      .returning('id')
      .executeTakeFirst();
    if (!accepted) throw new InvalidTokenError();
    await recordAudit(
      tx,
      { actorType: 'staff', actorId: subject.id, ip: client.ip ?? null, requestId: client.requestId ?? null },
      { action: 'staff.invite_accepted', targetType: 'staff_user', targetId: subject.id },
    );
    const session = await openSession(tx, { type: 'staff', id: subject.id }, client);
    return { ...session, staffId: subject.id };
  });
}

export interface StaffPatch {
  name?: string | null | undefined;
  roleId?: string | undefined;
  status?: 'active' | 'disabled' | undefined;
  /** The stock-alert email opt-in: under the same rules as a rename (an admin may subscribe the warehouse lead). */
  stockAlerts?: boolean | undefined;
}

/**
 * Changes a member's name, role or status. Rules: not your own role or status (no self-lockout,
 * no self-promotion); only roles whose permissions you hold, on members whose permissions you
 * hold (for any change, renaming included); the owner role only by owners; never the last active owner (active owners are locked in
 * id order so two owners demoting each other cannot both succeed). Disabling ends every session.
 */
export async function updateStaff(db: Db, actor: StaffActor, staffId: string, patch: StaffPatch): Promise<StaffMember> {
  if (actor.staffId === staffId) {
    if (patch.roleId !== undefined) throw new CannotChangeSelfError('roleId');
    if (patch.status !== undefined) throw new CannotChangeSelfError('status');
  }
  return withTransaction(db, async (tx) => {
    // Owners first (id order), then the target: every path takes locks in the same order.
    const owners = await tx
      .selectFrom('staff_user')
      .select(['id'])
      .where('role_id', '=', OWNER_ROLE_ID)
      .where('status', '=', 'active')
      .orderBy('id')
      .forUpdate()
      .execute();
    const row = await tx
      .selectFrom('staff_user')
      .select(['id', 'role_id', 'status', 'name', 'password_hash', 'stock_alerts'])
      .where('id', '=', staffId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new NotFoundError('Staff member', staffId);
    const current = await findRole(tx, row.role_id);
    const roleChanges = patch.roleId !== undefined && patch.roleId !== row.role_id;
    const statusChanges = patch.status !== undefined && patch.status !== row.status;
    if (actor.staffId !== staffId) {
      // Changing someone else needs every permission they have (and the new role's): a support
      // manager cannot rename, demote or disable an owner.
      assertOwnerFor(actor, current.id, roleChanges ? patch.roleId : undefined);
      assertMayGrant(actor, current.permissions);
    }
    const changes: Record<string, unknown> = {};
    const set: Partial<{ name: string | null; role_id: string; status: 'active' | 'disabled'; stock_alerts: boolean }> =
      {};
    if (roleChanges && patch.roleId !== undefined) {
      const next = await findRole(tx, patch.roleId, '/body/roleId');
      assertMayGrant(actor, next.permissions);
      set.role_id = next.id;
      changes.roleId = { from: row.role_id, to: next.id };
    }
    if (statusChanges && patch.status !== undefined) {
      if (patch.status === 'active' && row.password_hash === null) throw new InviteNotAcceptedError();
      set.status = patch.status;
      changes.status = { from: row.status, to: patch.status };
    }
    if (patch.name !== undefined && patch.name !== row.name) {
      set.name = patch.name;
      changes.name = { from: row.name, to: patch.name };
    }
    if (patch.stockAlerts !== undefined && patch.stockAlerts !== row.stock_alerts) {
      set.stock_alerts = patch.stockAlerts;
      changes.stockAlerts = { from: row.stock_alerts, to: patch.stockAlerts };
    }
    const wasActiveOwner = row.role_id === OWNER_ROLE_ID && row.status === 'active';
    const staysActiveOwner = (set.role_id ?? row.role_id) === OWNER_ROLE_ID && (set.status ?? row.status) === 'active';
    if (wasActiveOwner && !staysActiveOwner && owners.length <= 1) throw new LastOwnerError();
    if (Object.keys(set).length === 0) return getStaffMember(tx, staffId);

    await tx
      .updateTable('staff_user')
      .set({ ...set, updated_at: sql`now()` })
      .where('id', '=', staffId)
      .execute();
    if (set.status === 'disabled') {
      await revokeAllSessions(tx, { type: 'staff', id: staffId });
      // A disabled invitee's link must not work either.
      await voidInvites(tx, staffId);
    }
    const action =
      set.status === 'disabled'
        ? 'staff.disabled'
        : set.status === 'active'
          ? 'staff.enabled'
          : set.role_id
            ? 'staff.role_changed'
            : 'staff.updated';
    await recordAudit(tx, actor.ctx, { action, targetType: 'staff_user', targetId: staffId, changes });
    return getStaffMember(tx, staffId);
  });
}
