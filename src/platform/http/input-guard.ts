import { isUtf8 } from 'node:buffer';
import type { FastifyRequest } from 'fastify';
import { type FieldError, ValidationError } from '../errors.js';
import type { App } from './types.js';

/**
 * Text that PostgreSQL cannot store, or that would be stored as something else than what the client sent, is refused
 * at the edge with 400 `VALIDATION_FAILED` naming the field — before authentication, validation, idempotency storage
 * or any SQL sees it:
 * - U+0000 (PostgreSQL `text` cannot hold it: every such value used to end in a 500);
 * - lone UTF-16 surrogates (`"\ud800"` in JSON), which cannot be encoded as UTF-8;
 * - percent-encoded bytes in the query string that are not UTF-8 (`?q=%FF`), which the query parser would otherwise
 *   turn into U+FFFD silently. (Bad bytes in the path are already refused by the router.)
 * Bodies are checked by the JSON parser (see `json-body.ts`) for their bytes and here for their decoded strings.
 */

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `value` cannot be accepted as text, or null when it can. */
export function badText(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (loneSurrogate.test(value)) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** The first field of `value` (walked depth-first, keys included) that holds text we refuse, or null. */
export function findBadText(value: unknown, path: string, depth = 0): FieldError | null {
  // Raw bodies (signed gateway webhooks) are bytes the gateway signed, checked by their own route.
  if (depth > 64 || Buffer.isBuffer(value)) return null;
  if (typeof value === 'string') {
    const message = badText(value);
    return message ? { path, message } : null;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = findBadText(v, `${path}/${i}`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const keyProblem = badText(k);
      if (keyProblem) return { path: `${path}/${pointer(k)}`, message: `(a field name) ${keyProblem}` };
      const found = findBadText(v, `${path}/${pointer(k)}`, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

const hex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** Whether the bytes a percent-encoded query component stands for are UTF-8 (`%zz` stays literal, as the parser keeps it). */
function percentDecodesToUtf8(component: string): boolean {
  if (!component.includes('%')) return true;
  const bytes: number[] = [];
  for (let i = 0; i < component.length; i++) {
    if (component[i] === '%' && hex(component.charCodeAt(i + 1)) && hex(component.charCodeAt(i + 2))) {
      bytes.push(Number.parseInt(component.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(component[i] as string, 'utf8'));
    }
  }
  return isUtf8(Buffer.from(bytes));
}

/** A query parameter's name as the parser reads it (`%zz` and bad bytes left as sent). */
function queryKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** The name of the first query parameter whose raw percent-encoding is not UTF-8, or null. */
function queryWithBadBytes(url: string): FieldError | null {
  const at = url.indexOf('?');
  if (at < 0) return null;
  for (const pair of url.slice(at + 1).split('&')) {
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    if (percentDecodesToUtf8(pair)) continue;
    return { path: `/query/${pointer(queryKey(rawKey))}`, message: 'is not valid percent-encoded UTF-8' };
  }
  return null;
}

function checkUrl(request: FastifyRequest): void {
  const found =
    queryWithBadBytes(request.raw.url ?? '') ??
    findBadText(request.params, '/params') ??
    findBadText(request.query, '/query');
  if (found) throw new ValidationError([found]);
}

/** Registers the checks: path and query before authentication (`onRequest`), bodies once parsed (`preValidation`). */
export function registerInputGuard(app: App): void {
  app.addHook('onRequest', async (request) => checkUrl(request));
  app.addHook('preValidation', async (request) => {
    const found = findBadText(request.body, '/body');
    if (found) throw new ValidationError([found]);
  });
}
