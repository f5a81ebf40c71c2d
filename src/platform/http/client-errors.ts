import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemType } from './problem.js';

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a 20 KB URL or a 70 KB header: 431; a malformed
 * request line: 400; a client too slow to send its headers: 408) are answered with a problem document too, like
 * every other error of the API. There is no request yet, so the request id is a fresh one, sent in `x-request-id`.
 */

const byParserCode: Record<string, { status: number; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
    detail: 'The request line and headers are larger than this server accepts (URL or headers too long).',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', detail: 'The request took too long to arrive.' },
};

const malformed = { status: 400, code: 'BAD_REQUEST', detail: 'The request is not valid HTTP.' };

/** Fastify's `clientErrorHandler` option (`this` is the Fastify instance). */
export function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, detail } = byParserCode[err.code ?? ''] ?? malformed;
  const title = STATUS_CODES[status] ?? 'Bad Request';
  const requestId = randomUUID();
  const body = JSON.stringify({ type: problemType(code), title, status, detail, code, requestId });
  this.log.info({ code, status, parserError: err.code, requestId }, 'request rejected by the HTTP parser');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
