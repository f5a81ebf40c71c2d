import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mapDbError } from '../db/pg-errors.js';
import { AppError, type FieldError, ValidationError } from '../errors.js';
import { PROBLEM_CONTENT_TYPE, problemFromAppError } from './problem.js';
import { isImplicitBound } from './validator.js';

interface AjvError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** Ajv errors → field errors with a JSON pointer into the request (`/body/email`, `/query/limit`). */
export function fieldErrors(validation: AjvError[], context: string | undefined): FieldError[] {
  const root = `/${context === 'querystring' ? 'query' : (context ?? 'body')}`;
  return validation.map((e) => {
    let path = `${root}${e.instancePath ?? ''}`;
    if (e.keyword === 'required' && typeof e.params?.missingProperty === 'string') {
      path += `/${e.params.missingProperty}`;
      return { path, message: 'is required' };
    }
    if (e.keyword === 'additionalProperties' && typeof e.params?.additionalProperty === 'string') {
      path += `/${e.params.additionalProperty}`;
      return { path, message: 'is not a known field' };
    }
    return { path, message: e.message ?? 'is invalid' };
  });
}

/**
 * An integer past the safe range is 422 `VALUE_OUT_OF_RANGE`, as the database answers for a column's range, when that
 * is all that is wrong with the fields concerned (a union's other branches fail along with it).
 */
function outOfRange(validation: AjvError[], context: string | undefined): AppError | undefined {
  const bound = validation.filter(isImplicitBound);
  const paths = new Set(bound.map((e) => e.instancePath ?? ''));
  if (bound.length === 0 || !validation.every((e) => paths.has(e.instancePath ?? ''))) return undefined;
  return new AppError(422, 'VALUE_OUT_OF_RANGE', 'Value out of range', {
    detail: `Integers are at most ${Number.MAX_SAFE_INTEGER} in size.`,
    errors: fieldErrors(bound, context).map((e) => ({ ...e, message: 'is out of range' })),
  });
}

/** Fastify's own request errors (before any handler ran) → typed errors with stable codes. */
function fromFastifyError(err: FastifyError): AppError | undefined {
  if (err.validation) {
    const validation = err.validation as AjvError[];
    return (
      outOfRange(validation, err.validationContext) ??
      new ValidationError(fieldErrors(validation, err.validationContext))
    );
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', {
        detail: 'Send request bodies as application/json.',
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', 'Payload too large', {
        detail: 'The request body is larger than this server accepts.',
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError(400, 'MALFORMED_JSON', 'Malformed JSON', { detail: 'The request body is not valid JSON.' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(400, 'MALFORMED_JSON', 'Malformed JSON', {
        detail: 'The request says it has a JSON body but the body is empty.',
      });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(400, 'BAD_REQUEST', 'Bad request', { detail: 'Content-Length does not match the body.' });
  }
  // JSON.parse errors surface as SyntaxError with status 400 from Fastify's parser.
  if (err.statusCode === 400 && err instanceof SyntaxError) {
    return new AppError(400, 'MALFORMED_JSON', 'Malformed JSON', { detail: 'The request body is not valid JSON.' });
  }
  // Any other client error a plugin raises (a 429 from a rate limiter, a 405 …): its own status,
  // with the code named after it so clients can branch on it.
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    const title = STATUS_CODES[err.statusCode] ?? 'Bad Request';
    const code = title.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
    return new AppError(err.statusCode, code, title, { detail: err.message });
  }
  return undefined;
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, err: AppError) {
  if (err.headers) reply.headers(err.headers);
  return reply.code(err.status).type(PROBLEM_CONTENT_TYPE).send(problemFromAppError(err, request.id));
}

/**
 * The one place errors become HTTP responses. Typed errors carry their status and code; database
 * errors are mapped by SQLSTATE; anything else is a 500 that is logged with its stack and shows the
 * caller nothing but the request id.
 */
export function registerErrorHandlers(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = error instanceof AppError ? error : (fromFastifyError(error) ?? mapDbError(error));
    if (mapped instanceof AppError) {
      if (mapped.status >= 500) request.log.warn({ err: error, code: mapped.code }, 'request failed');
      else request.log.info({ code: mapped.code, status: mapped.status }, 'request rejected');
      return sendProblem(reply, request, mapped);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      reply,
      request,
      new AppError(500, 'INTERNAL_ERROR', 'Internal server error', {
        detail: 'Something went wrong on our side. Quote the requestId when you report it.',
      }),
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      request,
      new AppError(404, 'ROUTE_NOT_FOUND', 'Not found', {
        detail: `No route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}.`,
      }),
    ),
  );
}
