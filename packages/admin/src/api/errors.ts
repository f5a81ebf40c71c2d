import { BackroomError, CLIENT_ERROR_CODES } from '@backroom/client';

export interface DescribedError {
  title: string;
  detail: string | undefined;
  /** Field errors by JSON pointer (`/body/email`), to show next to the field they name. */
  fieldErrors: Record<string, string>;
  /** Someone else changed the resource (412 / version conflict): offer a reload, never overwrite. */
  conflict: boolean;
  status: number;
  code: string | undefined;
  requestId: string | undefined;
}

const CONFLICT_CODES = new Set(['VERSION_MISMATCH', 'VERSION_CONFLICT', 'STALE_VERSION']);

/** Everything a page needs to show a failed call, from the client's one error type. */
export function describeError(error: unknown): DescribedError {
  if (error instanceof BackroomError) {
    const fieldErrors: Record<string, string> = {};
    for (const e of error.errors) if (!(e.path in fieldErrors)) fieldErrors[e.path] = e.message;
    const network = error.code === CLIENT_ERROR_CODES.network;
    return {
      title: network ? 'Cannot reach the server' : error.title,
      detail: network ? 'Check your connection and try again.' : error.detail,
      fieldErrors,
      conflict: error.status === 412 || CONFLICT_CODES.has(error.code),
      status: error.status,
      code: error.code,
      requestId: error.requestId,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    title: 'Something went wrong',
    detail: message,
    fieldErrors: {},
    conflict: false,
    status: 0,
    code: undefined,
    requestId: undefined,
  };
}

/** The field error for a body field: `fieldError(errors, 'email')` reads `/body/email` (or `/email`). */
export function fieldError(fieldErrors: Record<string, string>, name: string): string | undefined {
  const pointer = name.startsWith('/') ? name : `/${name}`;
  return fieldErrors[`/body${pointer}`] ?? fieldErrors[pointer];
}
