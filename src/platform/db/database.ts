import type { Kysely, Transaction } from 'kysely';

/**
 * The whole schema as Kysely sees it. It starts empty: each module's `<m>.tables.ts` (and the
 * platform's own tables) add their tables with declaration merging:
 *
 *     declare module '../../platform/db/database.js' {
 *       interface Database extends OutboxTables {}
 *     }
 *
 * so the platform never imports a module, and one `Db` type serves everyone.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging
export interface Database {}

/** A database handle usable anywhere (reads, or to open a transaction with `withTransaction`). */
export type Db = Kysely<Database>;
/** A handle that is inside a transaction: a function taking `Tx` must be called inside one. */
export type Tx = Transaction<Database>;
/** Either; for repository functions that work in both. */
export type Queryable = Db | Tx;
