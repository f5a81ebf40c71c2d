import { isUtf8 } from 'node:buffer';
import { AppError, ValidationError } from '../errors.js';
import type { App } from './types.js';

/**
 * JSON request bodies are UTF-8 (RFC 8259 §8.1), so:
 * - a `charset` other than UTF-8 in `Content-Type` is 415 `UNSUPPORTED_MEDIA_TYPE` (it used to be decoded as UTF-8
 *   anyway, turning `é` in latin1 into U+FFFD);
 * - bytes that are not UTF-8 are 400 `VALIDATION_FAILED` at `/body` (they used to become U+FFFD silently);
 * - a body of `null` is 400 `VALIDATION_FAILED` at `/body` (it used to pass as "no body").
 * Parsing itself is Fastify's own parser (prototype-poisoning checks included).
 */

/** The `charset` parameter of a Content-Type header, lower-cased, or undefined. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType ?? '');
  return match?.[2]?.toLowerCase();
}

export class UnsupportedCharsetError extends AppError {
  constructor(charset: string) {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', {
      detail: `JSON bodies are UTF-8; charset=${charset.slice(0, 40)} is not accepted.`,
    });
  }
}

/** Refuses text bodies that are not UTF-8 (the charset named, or the bytes), returning the decoded text otherwise. */
export function utf8Body(contentType: string | undefined, body: Buffer): string {
  const charset = charsetOf(contentType);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw new UnsupportedCharsetError(charset);
  if (!isUtf8(body)) throw new ValidationError([{ path: '/body', message: 'is not valid UTF-8' }]);
  return body.toString('utf8');
}

export function registerJsonBody(app: App): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8Body(request.headers['content-type'], body as Buffer);
    } catch (err) {
      return done(err as Error, undefined);
    }
    parse(request, text, (err, value) => {
      if (err) return done(err, undefined);
      if (value === null) {
        return done(new ValidationError([{ path: '/body', message: 'must not be null' }]), undefined);
      }
      done(null, value);
    });
  });
}
