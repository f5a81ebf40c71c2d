import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserServer } from './server.js';

/**
 * Emails the server "sent": without SMTP_URL each one is a file `<dataDir>/mail/<id>.txt` holding
 * `To: …\nSubject: …\n\n<body>` (src/platform/notifications/transport.ts). They are written by the workers after the
 * request that caused them commits, so readers poll.
 */
export interface Mail {
  file: string;
  to: string;
  subject: string;
  body: string;
  sentAt: Date;
  /** Every http(s) link in the body. */
  links: string[];
}

function readMail(file: string): Mail {
  const text = readFileSync(file, 'utf8');
  const split = text.indexOf('\n\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const body = split >= 0 ? text.slice(split + 2) : '';
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(head)?.[1]?.trim() ?? '';
  return {
    file,
    to: header('To'),
    subject: header('Subject'),
    body,
    sentAt: statSync(file).mtime,
    links: body.match(/https?:\/\/[^\s<>"]+/g) ?? [],
  };
}

/** Every email written so far, oldest first. */
export function allMail(server: BrowserServer): Mail[] {
  let names: string[];
  try {
    names = readdirSync(server.mailDir).filter((n) => n.endsWith('.txt'));
  } catch {
    return [];
  }
  return names.map((n) => readMail(join(server.mailDir, n))).sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
}

/** The newest email to `to` (case-insensitive), or undefined. */
export function newestMail(server: BrowserServer, to: string, subject?: RegExp): Mail | undefined {
  const want = to.toLowerCase();
  return allMail(server)
    .filter((m) => m.to.toLowerCase() === want && (!subject || subject.test(m.subject)))
    .at(-1);
}

export interface WaitForMailOptions {
  subject?: RegExp;
  /** Only emails written after this moment (e.g. taken just before the action that sends one). */
  after?: Date;
  timeoutMs?: number;
}

/** Waits for an email to `to` (the workers send them shortly after the request). */
export async function waitForMail(server: BrowserServer, to: string, opts: WaitForMailOptions = {}): Promise<Mail> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  // File times have a coarse resolution on some file systems: compare with a second's slack.
  const after = opts.after ? opts.after.getTime() - 1000 : 0;
  for (;;) {
    const mail = newestMail(server, to, opts.subject);
    if (mail && mail.sentAt.getTime() >= after) return mail;
    if (Date.now() > deadline) {
      const seen = allMail(server).map((m) => `${m.to}: ${m.subject}`);
      throw new Error(`no email to ${to}${opts.subject ? ` matching ${opts.subject}` : ''}; sent: ${seen.join('; ')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The value of `?token=` in the email's first link that has one. */
export function tokenFromMail(mail: Mail): string {
  for (const link of mail.links) {
    const token = new URL(link).searchParams.get('token');
    if (token) return token;
  }
  throw new Error(`no link with a token in the email "${mail.subject}" to ${mail.to}`);
}
