import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/platform/db/transaction.js';
import {
  NOTIFICATION_QUEUED,
  notificationSender,
  queueNotification,
  sendNotification,
} from '../../src/platform/notifications/notifications.js';
import { defaultTemplatesDir, renderTemplate, TemplateError } from '../../src/platform/notifications/templates.js';
import { fileLogTransport, MemoryTransport } from '../../src/platform/notifications/transport.js';
import { EventHandlers } from '../../src/platform/outbox/handlers.js';
import { relayOnce } from '../../src/platform/outbox/relay.js';
import { LogCapture } from '../support/app.js';
import { createTestDb, type TestDb } from '../support/db.js';

const silent = pino({ level: 'silent' });
const data = { shopName: 'Demo', name: 'Ann', link: 'https://shop.example/verify?token=vrf_secret' };

describe('notifications', () => {
  let t: TestDb;
  let mail: MemoryTransport;
  beforeEach(async () => {
    t = await createTestDb();
    mail = new MemoryTransport();
  });
  afterEach(() => t.destroy());

  const queue = (tx: Parameters<typeof queueNotification>[0]) =>
    queueNotification(tx, {
      template: 'email-verification',
      to: 'ann@example.com',
      data,
      templatesDir: defaultTemplatesDir,
    });
  const relay = () =>
    relayOnce(
      {
        db: t.db,
        handlers: new EventHandlers().on(NOTIFICATION_QUEUED, 'mail', notificationSender(t.db, mail)),
        logger: silent,
      },
      { batchSize: 10, pollIntervalMs: 10, maxAttempts: 3 },
    );

  it('sends a committed notification through the transport and erases its body once sent', async () => {
    const id = await withTransaction(t.db, queue);
    await relay();
    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]).toMatchObject({ id, to: 'ann@example.com', subject: 'Confirm your email for Demo' });
    expect(mail.sent[0]?.body).toContain('https://shop.example/verify?token=vrf_secret');
    const row = await t.db.selectFrom('notification').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
    expect(row.body).toBeNull();
  });

  it('sends nothing for a notification whose transaction rolled back', async () => {
    await withTransaction(t.db, async (tx) => {
      await queue(tx);
      throw new Error('change failed');
    }).catch(() => {});
    await relay();
    expect(mail.sent).toEqual([]);
    expect(await t.db.selectFrom('notification').selectAll().execute()).toEqual([]);
  });

  it('sends a notification once even when asked twice', async () => {
    const id = await withTransaction(t.db, queue);
    expect(await sendNotification(t.db, mail, id)).toBe(true);
    expect(await sendNotification(t.db, mail, id)).toBe(false);
    expect(mail.sent).toHaveLength(1);
  });

  it('renders a shop-edited template folder and refuses a placeholder with no value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpl-'));
    writeFileSync(join(dir, 'hello.txt'), 'Subject: Hi {{name}}\n\nWelcome to {{shopName}}.\n');
    expect(renderTemplate(dir, 'hello', { name: 'Ann', shopName: 'Demo' })).toEqual({
      subject: 'Hi Ann',
      body: 'Welcome to Demo.\n',
    });
    expect(() => renderTemplate(dir, 'hello', { name: 'Ann' })).toThrow(TemplateError);
    expect(() => renderTemplate(dir, '../etc/passwd', {})).toThrow(TemplateError);
  });

  it('writes to a private file without an SMTP server and logs no body', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mail-'));
    const logs = new LogCapture();
    const transport = fileLogTransport(dir, logs.logger());
    const { transportId } = await transport.send({
      id: 'ntf_1',
      to: 'ann@example.com',
      subject: 'S',
      body: 'token=vrf_secret',
    });
    expect(readFileSync(transportId, 'utf8')).toContain('token=vrf_secret');
    expect(statSync(transportId).mode & 0o777).toBe(0o600);
    expect(logs.raw.join('\n')).not.toContain('vrf_secret');
    expect(logs.lines.some((l) => l.to === 'ann@example.com')).toBe(true);
  });
});
