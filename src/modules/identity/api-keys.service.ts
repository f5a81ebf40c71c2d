import { type Selectable, sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { ForeignKeyViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { type AuditContext, recordAudit } from './audit.js';
import { PermissionDeniedError, UnknownSalesChannelError } from './identity.errors.js';
import type { ApiKeyTable } from './identity.tables.js';
import { permissions as allPermissions, isPermission, type Permission } from './permissions.js';
import { hashToken, newToken, tokenHint } from './tokens.js';

export interface ApiKeyView {
  id: string;
  name: string;
  kind: 'secret' | 'publishable';
  hint: string;
  permissions: string[];
  /** Publishable keys: the sales channel the key pins; null follows the shop's default channel. */
  salesChannelId: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewApiKey {
  name: string;
  kind: 'secret' | 'publishable';
  permissions?: string[] | undefined;
  /** Publishable keys only; omitted: the key follows the shop's default sales channel. */
  salesChannelId?: string | undefined;
  expiresAt?: string | undefined;
}

/** Who creates the key: its permissions bound the key's (`undefined` = the CLI, unbounded). */
export interface KeyCreator {
  ctx: AuditContext;
  createdBy: string | null;
  permissions?: ReadonlySet<Permission> | undefined;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function view(row: Omit<Selectable<ApiKeyTable>, 'token_hash' | 'created_by'>): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    hint: row.token_hint,
    permissions: row.permissions,
    salesChannelId: row.sales_channel_id,
    createdAt: row.created_at.toISOString(),
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

/** Validates requested permissions: each a known permission, or the single value `all`. */
export function resolveKeyPermissions(kind: NewApiKey['kind'], requested: string[] = []): Permission[] {
  if (kind === 'publishable') {
    if (requested.length > 0) {
      throw new ValidationError([{ path: '/body/permissions', message: 'publishable keys carry no permissions' }]);
    }
    return [];
  }
  if (requested.length === 1 && requested[0] === 'all') return [...allPermissions];
  const errors = requested.flatMap((p, i) =>
    isPermission(p) ? [] : [{ path: `/body/permissions/${i}`, message: `unknown permission ${JSON.stringify(p)}` }],
  );
  if (errors.length > 0) {
    const unknown = requested.filter((p) => !isPermission(p)).map((p) => JSON.stringify(p));
    throw new ValidationError(errors, `Unknown permission ${unknown.join(', ')}: use known permissions or "all".`);
  }
  return [...new Set(requested as Permission[])];
}

/** Creates a key; the value is returned once and only its hash is stored. */
export async function createApiKey(
  db: Db,
  creator: KeyCreator,
  input: NewApiKey,
): Promise<ApiKeyView & { key: string }> {
  const perms = resolveKeyPermissions(input.kind, input.permissions);
  const missing = creator.permissions ? perms.find((p) => !creator.permissions?.has(p)) : undefined;
  if (missing) throw new PermissionDeniedError(missing);
  let expiresAt: Date | null = null;
  if (input.expiresAt !== undefined) {
    expiresAt = new Date(input.expiresAt);
    if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now()) {
      throw new ValidationError([{ path: '/body/expiresAt', message: 'must be a date-time in the future' }]);
    }
  }
  if (input.kind === 'secret' && input.salesChannelId !== undefined) {
    throw new ValidationError([
      { path: '/body/salesChannelId', message: 'only publishable keys select a sales channel' },
    ]);
  }
  // The channel is checked by the foreign key; without one the key follows the default channel.
  const channel = input.kind === 'secret' ? null : (input.salesChannelId ?? null);
  const key = newToken(input.kind === 'secret' ? 'sk' : 'pk');
  const id = newId('apiKey');
  const row = await withTransaction(db, async (tx) => {
    const inserted = await tx
      .insertInto('api_key')
      .values({
        id,
        kind: input.kind,
        name: input.name,
        token_hash: hashToken(key),
        token_hint: tokenHint(key),
        permissions: perms,
        sales_channel_id: channel,
        created_by: creator.createdBy,
        expires_at: expiresAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, creator.ctx, {
      action: 'api_key.created',
      targetType: 'api_key',
      targetId: id,
      changes: {
        name: input.name,
        kind: input.kind,
        permissions: perms,
        salesChannelId: inserted.sales_channel_id,
        expiresAt: iso(expiresAt),
      },
    });
    return inserted;
  }).catch((err: unknown) => {
    if (err instanceof ForeignKeyViolationError) throw new UnknownSalesChannelError(input.salesChannelId ?? '');
    throw err;
  });
  return { ...view(row), key };
}

export async function listApiKeys(
  db: Db,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ data: ApiKeyView[]; nextCursor: string | null }> {
  let q = db
    .selectFrom('api_key')
    .select([
      'id',
      'name',
      'kind',
      'token_hint',
      'permissions',
      'sales_channel_id',
      'created_at',
      'expires_at',
      'last_used_at',
      'revoked_at',
    ])
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.cursor) q = q.where('id', '<', page.cursor);
  const rows = await q.execute();
  const data = rows.slice(0, page.limit).map(view);
  return { data, nextCursor: rows.length > page.limit ? (data.at(-1)?.id ?? null) : null };
}

/** Revokes a key (idempotent); it stops working on the very next request. */
export async function revokeApiKey(db: Db, ctx: AuditContext, id: string): Promise<void> {
  await withTransaction(db, async (tx) => {
    const row = await tx.selectFrom('api_key').select(['id', 'revoked_at']).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('API key', id);
    if (row.revoked_at) return;
    await tx.updateTable('api_key').set({ revoked_at: sql`now()` }).where('id', '=', id).execute();
    await recordAudit(tx, ctx, { action: 'api_key.revoked', targetType: 'api_key', targetId: id });
  });
}
