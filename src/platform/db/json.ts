import { type RawBuilder, sql } from 'kysely';

/**
 * A JSON value for a `jsonb` column or parameter. It travels as text and is cast in SQL: bound
 * straight to a jsonb parameter, postgres.js would store a JS string as a JSON *string*, not the
 * object it encodes (PGlite would not), so every jsonb write goes through here.
 */
export function jsonb<T>(value: T): RawBuilder<T> {
  return sql<T>`${JSON.stringify(value)}::text::jsonb`;
}
