import type { TestApp } from '../support/app.js';

/** The queued (not yet sent) emails to `to` of one template, oldest first. No worker runs in tests. */
export async function queuedMails(t: TestApp, to: string, template: string) {
  return t.db.db
    .selectFrom('notification')
    .select(['id', 'subject', 'body', 'status'])
    .where('recipient', '=', to)
    .where('template', '=', template)
    .orderBy('id')
    .execute();
}

/** The token of the link in the newest queued email to `to` of `template`. */
export async function tokenFromMail(t: TestApp, to: string, template: string, path: string): Promise<string> {
  const mails = await queuedMails(t, to, template);
  const body = mails.at(-1)?.body ?? '';
  const m = new RegExp(`${path}\\?token=(\\S+)`).exec(body);
  if (!m?.[1]) throw new Error(`no ${template} link in ${JSON.stringify(body)}`);
  return decodeURIComponent(m[1]);
}

export async function countTokens(t: TestApp): Promise<number> {
  const row = await t.db.db
    .selectFrom('one_time_token')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
