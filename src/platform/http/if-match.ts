import { AppError } from '../errors.js';

/**
 * Optimistic concurrency for versioned resources: the client sends back the `version` (or the ETag)
 * it read as `If-Match`; a write against a newer version fails with 412 instead of silently
 * overwriting someone else's change.
 */

export class PreconditionRequiredError extends AppError {
  constructor() {
    super(428, 'PRECONDITION_REQUIRED', 'Precondition required', {
      detail: 'Send If-Match with the version you read (GET the resource; its `version`, or its ETag).',
    });
  }
}

export class VersionMismatchError extends AppError {
  constructor(current: number) {
    super(412, 'VERSION_MISMATCH', 'Precondition failed', {
      detail: `The resource changed since you read it (now at version ${current}); read it again and retry.`,
      extensions: { currentVersion: current },
    });
  }
}

/** `3`, `"3"` and `W/"3"` → 3; absent → PreconditionRequiredError; anything else → 400. */
export function expectedVersion(header: string | string[] | undefined): number {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw.trim() === '') throw new PreconditionRequiredError();
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(raw);
  if (!m?.[1]) {
    throw new AppError(400, 'INVALID_IF_MATCH', 'Bad request', {
      detail: 'If-Match must be the resource version, e.g. If-Match: "3".',
      errors: [{ path: '/headers/if-match', message: 'must be a version number' }],
    });
  }
  return Number(m[1]);
}

/** The ETag for a version (what `expectedVersion` accepts back). */
export const etagOf = (version: number) => `"${version}"`;
