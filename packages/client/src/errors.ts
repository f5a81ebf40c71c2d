/** One field error of a `400 VALIDATION_FAILED` (and other) problems: `path` is a JSON pointer into the request. */
export interface FieldError {
  path: string;
  message: string;
}

/** Codes the client itself gives to failures that are not a problem document from the API. */
export const CLIENT_ERROR_CODES = {
  /** No answer at all (connection refused or reset, DNS failure), after every retry. */
  network: 'NETWORK_ERROR',
  /** An HTTP error whose body is not a problem document (e.g. a proxy's HTML 502): `HTTP_<status>`. */
  http: (status: number) => `HTTP_${status}`,
} as const;

interface BackroomErrorInit {
  status: number;
  code: string;
  title: string;
  detail?: string | undefined;
  type?: string | undefined;
  requestId?: string | undefined;
  errors?: FieldError[] | undefined;
  /** The parsed body (the problem document, or the text of a non-problem answer). */
  body?: unknown;
  response?: Response | undefined;
  cause?: unknown;
}

/**
 * Every failed call: a problem+json answer (RFC 9457) from the API with its stable `code`, or a failure that
 * never produced one (`status` 0 and code `NETWORK_ERROR` when no answer came after the retries; `HTTP_<status>`
 * for an answer that is not a problem document). Branch on `code`; show `errors` next to the fields they name;
 * quote `requestId` when reporting a problem. An aborted call (the caller's `signal`) is not wrapped: its
 * `AbortError` is thrown as is.
 */
export class BackroomError extends Error {
  override readonly name = 'BackroomError';
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string | undefined;
  readonly requestId: string | undefined;
  readonly errors: FieldError[];
  readonly body: unknown;
  readonly response: Response | undefined;

  constructor(init: BackroomErrorInit) {
    super(init.detail ? `${init.title}: ${init.detail}` : init.title, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type;
    this.requestId = init.requestId;
    this.errors = init.errors ?? [];
    this.body = init.body;
    this.response = init.response;
  }

  /** The message of the field error at `path` (`/body/email`), if any. */
  fieldError(path: string): string | undefined {
    return this.errors.find((e) => e.path === path)?.message;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined);

function fieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isRecord)
    .map((e) => ({ path: String(e.path ?? ''), message: String(e.message ?? '') }))
    .filter((e) => e.path !== '' || e.message !== '');
}

/** The error for an answer that is not 2xx; `body` is what openapi-fetch parsed (JSON when it could). */
export function errorFromResponse(response: Response, body: unknown): BackroomError {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  if (isRecord(body) && typeof body.code === 'string' && typeof body.title === 'string') {
    return new BackroomError({
      status: typeof body.status === 'number' ? body.status : response.status,
      code: body.code,
      title: body.title,
      detail: optionalString(body.detail),
      type: optionalString(body.type),
      requestId: optionalString(body.requestId) ?? requestId,
      errors: fieldErrors(body.errors),
      body,
      response,
    });
  }
  return new BackroomError({
    status: response.status,
    code: CLIENT_ERROR_CODES.http(response.status),
    title: response.statusText || `HTTP ${response.status}`,
    detail: typeof body === 'string' && body.length > 0 ? body.slice(0, 500) : undefined,
    requestId,
    body,
    response,
  });
}

/** No answer after every attempt (the last failure is the `cause`). */
export function networkError(cause: unknown, request: Request): BackroomError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new BackroomError({
    status: 0,
    code: CLIENT_ERROR_CODES.network,
    title: 'Network error',
    detail: `${request.method} ${request.url}: ${reason}`,
    cause,
  });
}

/** The caller gave up (`AbortSignal`): not a Backroom failure, so it is rethrown unwrapped. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
