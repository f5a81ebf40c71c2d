import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors.js';

/**
 * The admin web app (packages/admin, built by `npm run build`) served at /admin by the same server:
 * - hashed assets under /admin/assets/ are cached for a year (`immutable`: a new build has new names);
 * - /admin, /admin/ and every other /admin path without a file extension answer index.html (the app's router
 *   reads the path), never cached, with a fresh CSP nonce;
 * - a strict Content-Security-Policy on every /admin answer: the app's own scripts and styles only, no inline
 *   script. The one inline thing allowed is a <style> element carrying this answer's nonce (Radix's scroll lock
 *   adds one; the app passes the nonce on through `<meta name="csp-nonce">`). The API keeps helmet's CSP.
 * None of these routes is part of the API: hidden from the OpenAPI document, outside the /v1 permission checks.
 */

// From src/platform/http (tsx) and from dist/platform/http (built) alike, the repository root is three levels up.
export const defaultAdminDist = fileURLToPath(new URL('../../../packages/admin/dist/', import.meta.url));

const NONCE_PLACEHOLDER = '__CSP_NONCE__';

export function adminCsp(nonce?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    nonce ? `style-src 'self' 'nonce-${nonce}'` : "style-src 'self'",
    "img-src 'self' data: https:",
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

class AdminNotBuiltError extends AppError {
  constructor() {
    super(503, 'ADMIN_NOT_BUILT', 'Service unavailable', {
      detail: 'the admin app is not built: run npm run build',
    });
  }
}

/** index.html, read again when a rebuild changes it (a running server picks up a new build). */
function indexHtml(file: string) {
  let cached: { mtimeMs: number; text: string } | undefined;
  return async (): Promise<string> => {
    const { mtimeMs } = await stat(file);
    if (!cached || cached.mtimeMs !== mtimeMs) cached = { mtimeMs, text: await readFile(file, 'utf8') };
    return cached.text;
  };
}

/** Register with `{ prefix: '/admin' }`: every route, hook and 404 here is the admin app's. */
export async function adminAppRoutes(app: FastifyInstance, opts: { distDir?: string | undefined } = {}) {
  const dist = opts.distDir ?? defaultAdminDist;
  const indexFile = join(dist, 'index.html');

  // Every /admin answer, assets and errors included, carries the app's CSP instead of the API's (helmet's); an
  // index.html answer already has the one with its nonce.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!String(reply.getHeader('content-security-policy') ?? '').includes("script-src 'self'")) {
      reply.header('content-security-policy', adminCsp());
    }
    return payload;
  });
  // A missing file under /admin (a stale chunk after a deploy) is a 404 problem, never the page.
  app.setNotFoundHandler(async (request) => {
    throw new AppError(404, 'NOT_FOUND', 'Not found', { detail: `No file ${request.url.split('?')[0]}.` });
  });

  const built = existsSync(indexFile);
  if (built) {
    await app.register(fastifyStatic, {
      root: join(dist, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      wildcard: true,
      // Hashed file names: a new build never reuses a name, so a year is safe.
      maxAge: 365 * 24 * 3600 * 1000,
      immutable: true,
      schemaHide: true,
    });
  }
  const readIndex = indexHtml(indexFile);

  const sendIndex = async (reply: FastifyReply) => {
    if (!existsSync(indexFile)) throw new AdminNotBuiltError();
    const nonce = randomBytes(16).toString('base64');
    const html = (await readIndex()).replaceAll(NONCE_PLACEHOLDER, nonce);
    return reply
      .header('content-security-policy', adminCsp(nonce))
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(html);
  };

  // '/' under the prefix answers both /admin and /admin/.
  app.get('/', { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = (request.params as { '*': string })['*'] ?? '';
    if (/\.[a-z0-9]+$/i.test(path)) {
      if (!built) throw new AdminNotBuiltError();
      return reply.callNotFound();
    }
    return sendIndex(reply);
  });
}
