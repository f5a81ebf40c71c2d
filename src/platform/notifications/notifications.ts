import { sql } from 'kysely';
import type { Db, Tx } from '../db/database.js';
import { newId } from '../ids.js';
import type { EventHandler } from '../outbox/handlers.js';
import { appendEvent } from '../outbox/outbox.js';
import { renderTemplate } from './templates.js';
import type { MailTransport } from './transport.js';

declare module '../db/database.js' {
  interface Database {
    notification: {
      id: string;
      template: string;
      recipient: string;
      subject: string;
      body: string | null;
      status: 'queued' | 'sent';
      created_at: Date;
      sent_at: Date | null;
      transport_id: string | null;
    };
  }
}

export const NOTIFICATION_QUEUED = 'notification.queued';

declare module '../outbox/outbox.js' {
  interface EventTypes {
    /** A notification was queued; its handler sends it (platform-internal: the mail itself is the effect). */
    'notification.queued': true;
  }
}

export interface QueueNotification {
  template: string;
  to: string;
  data: Record<string, string>;
  templatesDir: string;
}

/**
 * Renders a template and queues the message in the caller's transaction (row + outbox event): the
 * email exists if and only if the change that caused it committed. Returns the notification id.
 */
export async function queueNotification(tx: Tx, n: QueueNotification): Promise<string> {
  const { subject, body } = renderTemplate(n.templatesDir, n.template, n.data);
  const id = newId('notification');
  await tx
    .insertInto('notification')
    .values({
      id,
      template: n.template,
      recipient: n.to,
      subject,
      body,
      status: 'queued',
      created_at: new Date(),
      sent_at: null,
      transport_id: null,
    })
    .execute();
  await appendEvent(tx, {
    type: NOTIFICATION_QUEUED,
    aggregateId: id,
    payload: { notificationId: id, template: n.template },
  });
  return id;
}

/**
 * Sends one queued notification, then marks it sent and erases its body (it may hold a one-time
 * link). Already sent → nothing happens, so the at-least-once relay does not mail twice unless it
 * crashed between the send and the update.
 */
export async function sendNotification(db: Db, transport: MailTransport, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('notification')
    .select(['id', 'recipient', 'subject', 'body'])
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  if (!row) return false;
  const { transportId } = await transport.send({
    id: row.id,
    to: row.recipient,
    subject: row.subject,
    body: row.body ?? '',
  });
  await db
    .updateTable('notification')
    .set({ status: 'sent', sent_at: sql<Date>`now()`, body: null, transport_id: transportId })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .execute();
  return true;
}

/** The outbox handler that delivers `notification.queued` events through `transport`. */
export function notificationSender(db: Db, transport: MailTransport): EventHandler {
  return async (event) => {
    const id = event.payload.notificationId;
    if (typeof id === 'string') await sendNotification(db, transport, id);
  };
}
