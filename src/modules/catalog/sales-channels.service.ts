import { type Selectable, sql } from 'kysely';
import { type AuditContext, recordAudit } from '../../platform/audit/audit.js';
import type { Db, Queryable, Tx } from '../../platform/db/database.js';
import { ForeignKeyViolationError, UniqueViolationError } from '../../platform/db/pg-errors.js';
import { withTransaction } from '../../platform/db/transaction.js';
import { NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { DefaultSalesChannelError, SalesChannelInUseError, SalesChannelNameTakenError } from './catalog.errors.js';
import { announceDefaultChannelChange } from './read-model.js';
import type { SalesChannelTable } from './sales-channels.tables.js';

/**
 * Sales channels. Exactly one is the default (what a storefront request without a publishable key
 * sees); making another the default moves the flag in one transaction.
 */

export interface SalesChannel {
  id: string;
  name: string;
  description: string | null;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

const view = (row: Selectable<SalesChannelTable>): SalesChannel => ({
  id: row.id,
  name: row.name,
  description: row.description,
  isDefault: row.is_default,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

function nameTaken(err: unknown): never {
  if (err instanceof UniqueViolationError && err.constraint === 'sales_channel_name_key') {
    throw new SalesChannelNameTakenError();
  }
  throw err;
}

export async function listSalesChannels(db: Db): Promise<SalesChannel[]> {
  const rows = await db.selectFrom('sales_channel').selectAll().orderBy('is_default', 'desc').orderBy('name').execute();
  return rows.map(view);
}

export async function getSalesChannel(db: Queryable, id: string): Promise<SalesChannel> {
  const row = await db.selectFrom('sales_channel').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('Sales channel', id);
  return view(row);
}

/**
 * {@link resolveSalesChannelId} as an SQL expression, for a statement of another module that writes the channel id
 * (a cart's insert) without a round trip of its own. It is null when nothing is selected and the shop has no default
 * (typed as a string for a not-null column, whose constraint then refuses the write: the caller maps that).
 */
export function salesChannelIdSql(selected: string | null) {
  return sql<string>`coalesce(${selected}::text, (select id from sales_channel where is_default))`;
}

/** The channel of a storefront request: the one its publishable key selected, else the default. */
export async function resolveSalesChannelId(db: Queryable, selected: string | null): Promise<string> {
  if (selected) return selected;
  const row = await db.selectFrom('sales_channel').select('id').where('is_default', '=', true).executeTakeFirst();
  if (!row) throw new NotFoundError('Default sales channel');
  return row.id;
}

export interface SalesChannelInput {
  name: string;
  description?: string | null | undefined;
  isDefault?: boolean | undefined;
}

async function takeDefault(tx: Tx, id: string): Promise<void> {
  // Clear the old default first: the partial unique index allows one `true` at a time.
  const previous = await tx
    .updateTable('sales_channel')
    .set({ is_default: false, updated_at: sql`now()` })
    .where('is_default', '=', true)
    .where('id', '<>', id)
    .returning('id')
    .executeTakeFirst();
  await tx
    .updateTable('sales_channel')
    .set({ is_default: true, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
  // Keyless storefront answers now show another channel: caches on every node and at the CDN must drop them.
  await announceDefaultChannelChange(tx, previous?.id ?? null, id);
}

export async function createSalesChannel(db: Db, ctx: AuditContext, input: SalesChannelInput): Promise<SalesChannel> {
  const id = newId('salesChannel');
  try {
    return await withTransaction(db, async (tx) => {
      await tx
        .insertInto('sales_channel')
        .values({ id, name: input.name.trim(), description: input.description ?? null })
        .execute();
      if (input.isDefault) await takeDefault(tx, id);
      await recordAudit(tx, ctx, {
        action: 'sales_channel.created',
        targetType: 'sales_channel',
        targetId: id,
        changes: { name: input.name.trim(), isDefault: input.isDefault ?? false },
      });
      return getSalesChannel(tx, id);
    });
  } catch (err) {
    return nameTaken(err);
  }
}

/** Renames or re-describes a channel, or makes it the default (`isDefault: false` is refused: pick another default instead). */
export async function updateSalesChannel(
  db: Db,
  ctx: AuditContext,
  id: string,
  patch: Partial<SalesChannelInput>,
): Promise<SalesChannel> {
  try {
    return await withTransaction(db, async (tx) => {
      const row = await tx.selectFrom('sales_channel').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw new NotFoundError('Sales channel', id);
      if (patch.isDefault === false && row.is_default) {
        throw new DefaultSalesChannelError(
          'Make another channel the default instead; one channel is always the default.',
        );
      }
      const changes: Record<string, unknown> = {};
      if (patch.name !== undefined && patch.name.trim() !== row.name)
        changes.name = { from: row.name, to: patch.name.trim() };
      if (patch.description !== undefined && patch.description !== row.description) {
        changes.description = { from: row.description, to: patch.description };
      }
      if (patch.isDefault === true && !row.is_default) changes.isDefault = { from: false, to: true };
      if (Object.keys(changes).length === 0) return view(row);
      await tx
        .updateTable('sales_channel')
        .set({
          ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .execute();
      if (changes.isDefault) await takeDefault(tx, id);
      await recordAudit(tx, ctx, {
        action: 'sales_channel.updated',
        targetType: 'sales_channel',
        targetId: id,
        changes,
      });
      return getSalesChannel(tx, id);
    });
  } catch (err) {
    return nameTaken(err);
  }
}

/** Deletes a channel that is not the default and that no publishable key selects. */
export async function deleteSalesChannel(db: Db, ctx: AuditContext, id: string): Promise<void> {
  try {
    await withTransaction(db, async (tx) => {
      const row = await tx.selectFrom('sales_channel').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw new NotFoundError('Sales channel', id);
      if (row.is_default) throw new DefaultSalesChannelError('The default sales channel cannot be deleted.');
      await tx.deleteFrom('sales_channel').where('id', '=', id).execute();
      await recordAudit(tx, ctx, {
        action: 'sales_channel.deleted',
        targetType: 'sales_channel',
        targetId: id,
        changes: { name: row.name },
      });
    });
  } catch (err) {
    // Referenced by a publishable key (revoked ones included: their history keeps the channel).
    if (err instanceof ForeignKeyViolationError) throw new SalesChannelInUseError();
    throw err;
  }
}
