import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from '../logger.js';

export interface MailMessage {
  id: string;
  to: string;
  subject: string;
  body: string;
}

export interface MailTransport {
  readonly name: string;
  send(message: MailMessage): Promise<{ transportId: string }>;
}

/** SMTP through nodemailer (`SMTP_URL`, e.g. `smtps://user:pass@smtp.example.com`). */
export function smtpTransport(url: string, from: string): MailTransport {
  const mailer = nodemailer.createTransport(url);
  return {
    name: 'smtp',
    async send(m) {
      const info = await mailer.sendMail({
        from,
        to: m.to,
        subject: m.subject,
        text: m.body,
        messageId: `<${m.id}@backroom>`,
      });
      return { transportId: String(info.messageId ?? m.id) };
    },
  };
}

/**
 * The default when no SMTP server is configured: each message goes to a file under
 * `<dir>/<id>.txt` (so a developer can open the verification link) and the log gets one line with
 * the recipient, subject and file — never the body, which can hold a one-time link.
 */
export function fileLogTransport(dir: string, logger: Logger): MailTransport {
  const folder = resolve(dir);
  return {
    name: 'log',
    async send(m) {
      mkdirSync(folder, { recursive: true });
      const file = join(folder, `${m.id}.txt`);
      writeFileSync(file, `To: ${m.to}\nSubject: ${m.subject}\n\n${m.body}`, { mode: 0o600 });
      logger.info(
        { notificationId: m.id, to: m.to, subject: m.subject, file },
        'email written to file (no SMTP_URL set)',
      );
      return { transportId: file };
    },
  };
}

/** Keeps messages in memory; tests read what was "sent" from here. */
export class MemoryTransport implements MailTransport {
  readonly name = 'memory';
  readonly sent: MailMessage[] = [];
  async send(m: MailMessage) {
    this.sent.push(m);
    return { transportId: `memory-${this.sent.length}` };
  }
}
