import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Email templates are plain text files a shop can edit (`templates/email/<name>.txt`, or a folder
 * of its own via `TEMPLATES_DIR`): the first line is `Subject: …`, then a blank line, then the body.
 * `{{name}}` placeholders are replaced; a placeholder without a value is an error, so a broken
 * template fails loudly in tests instead of sending "Hello {{name}}".
 */
export const defaultTemplatesDir = fileURLToPath(new URL('../../../templates/email', import.meta.url));

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export interface Rendered {
  subject: string;
  body: string;
}

export function renderTemplate(dir: string, name: string, data: Record<string, string>): Rendered {
  if (!/^[a-z0-9-]+$/.test(name)) throw new TemplateError(`bad template name ${JSON.stringify(name)}`);
  const text = readFileSync(join(dir, `${name}.txt`), 'utf8');
  const filled = text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_m, key: string) => {
    const value = data[key];
    if (value === undefined) throw new TemplateError(`template ${name} needs {{${key}}}`);
    return value;
  });
  const m = /^Subject:[ \t]*(.+)\r?\n\r?\n([\s\S]*)$/.exec(filled);
  if (!m?.[1] || m[2] === undefined)
    throw new TemplateError(`template ${name} must start with "Subject: …" and a blank line`);
  return { subject: m[1].trim(), body: m[2] };
}
