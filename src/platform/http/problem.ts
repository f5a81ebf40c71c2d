import { Type } from 'typebox';
import { AppError, type FieldError } from '../errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem document, as every error response of the API is shaped. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the problem type.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable UPPER_SNAKE error code to branch on.' }),
    requestId: Type.String({ description: 'Echoes `x-request-id`; quote it when reporting a problem.' }),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        description: 'Field errors for validation failures; `path` is a JSON pointer into the request.',
      }),
    ),
  },
  { additionalProperties: true, $id: 'Problem' },
);

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Problem types are documented anchors of the API reference, one per code. */
export function problemType(code: string): string {
  return `https://backroom.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

export function problemFromAppError(err: AppError, requestId: string): Problem {
  return {
    ...(err.extensions ?? {}),
    type: problemType(err.code),
    title: err.title,
    status: err.status,
    ...(err.detail ? { detail: err.detail } : {}),
    code: err.code,
    requestId,
    ...(err.errors ? { errors: err.errors } : {}),
  };
}

export { AppError };
