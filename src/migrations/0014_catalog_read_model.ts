import type { Kysely } from 'kysely';

/** Placeholder: filled in by the work in progress on this module (must not ship empty). */
export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
