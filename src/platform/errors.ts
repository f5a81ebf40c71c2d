/**
 * Typed, expected failures. Every error a client may see is an `AppError` with an HTTP status and a
 * stable UPPER_SNAKE `code`; the HTTP error handler turns it into RFC 9457 problem+json. Modules
 * declare their own subclasses in `<module>.errors.ts`.
 */

export interface FieldError {
  /** JSON pointer-ish path of the offending field, e.g. `/body/lines/0/quantity`. */
  path: string;
  message: string;
}

export interface AppErrorOptions {
  detail?: string;
  errors?: FieldError[];
  /** Extra members added to the problem document (must be safe to show to the caller). */
  extensions?: Record<string, unknown>;
  /** Response headers to set (e.g. `Retry-After`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly extensions: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    opts: AppErrorOptions = {},
  ) {
    super(opts.detail ?? title, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.detail = opts.detail;
    this.errors = opts.errors;
    this.extensions = opts.extensions;
    this.headers = opts.headers;
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldError[], detail = 'The request is not valid.') {
    super(400, 'VALIDATION_FAILED', 'Validation failed', { detail, errors });
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super(404, 'NOT_FOUND', 'Not found', { detail: id ? `${what} ${id} was not found.` : `${what} was not found.` });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, detail: string, opts: Omit<AppErrorOptions, 'detail'> = {}) {
    super(409, code, 'Conflict', { ...opts, detail });
  }
}

export class BusinessRuleError extends AppError {
  constructor(code: string, detail: string, opts: Omit<AppErrorOptions, 'detail'> = {}) {
    super(422, code, 'Unprocessable request', { ...opts, detail });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(code: string, detail: string, retryAfterSeconds = 1, cause?: unknown) {
    super(503, code, 'Service unavailable', { detail, headers: { 'retry-after': String(retryAfterSeconds) }, cause });
  }
}

/**
 * A failure's text for a `last_error` column or a status page: `Name: message`, at most `maxLength` characters.
 * Only for errors whose messages carry no secrets (driver and gateway messages).
 */
export function errorText(err: unknown, maxLength = 1000): string {
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, maxLength);
}
