import { sql } from 'kysely';
import type { Queryable, Tx } from '../db/database.js';
import './notifications.js';

/**
 * The emails kept about a person, for the privacy requests (the platform owns `notification`, so modules reach it
 * only through these). Matched on the recipient address, ignoring case; there is no index on it — a privacy request
 * is rare, and an index would cost every email queued.
 */

/** Emails sent or queued to any of `emails`: when, which template, the subject; bodies are erased once sent. */
export async function notificationsTo(db: Queryable, emails: readonly string[]) {
  if (emails.length === 0) return [];
  const rows = await db
    .selectFrom('notification')
    .select(['id', 'template', 'recipient', 'subject', 'status', 'created_at', 'sent_at'])
    .where(
      sql<string>`lower(recipient)`,
      'in',
      emails.map((e) => e.toLowerCase()),
    )
    .orderBy('id')
    .execute();
  return rows.map((n) => ({
    id: n.id,
    template: n.template,
    recipient: n.recipient,
    subject: n.subject,
    status: n.status,
    createdAt: n.created_at.toISOString(),
    sentAt: n.sent_at?.toISOString() ?? null,
  }));
}

/**
 * Forgets the recipient of emails to any of `emails`, in `tx`: sent ones keep their record (when, template) with the
 * address replaced by `placeholder`; queued ones are deleted — their sender then finds nothing to send. Returns how
 * many rows changed.
 */
export async function eraseNotificationsTo(tx: Tx, emails: readonly string[], placeholder: string): Promise<number> {
  if (emails.length === 0) return 0;
  const lower = emails.map((e) => e.toLowerCase());
  const deleted = await tx
    .deleteFrom('notification')
    .where(sql<string>`lower(recipient)`, 'in', lower)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  const updated = await tx
    .updateTable('notification')
    .set({ recipient: placeholder, body: null })
    .where(sql<string>`lower(recipient)`, 'in', lower)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows) + Number(updated.numUpdatedRows);
}
