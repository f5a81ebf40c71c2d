import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type TransactionSettings,
} from 'kysely';

/** Both of our dialects speak PostgreSQL; only the driver (postgres.js or PGlite) differs. */
export function postgresDialect(createDriver: () => Driver): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver,
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}

/** The statement that opens a transaction with Kysely's settings (both dialects use it). */
export function beginStatement(settings: TransactionSettings): string {
  const iso = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
  const mode = settings.accessMode ? ` ${settings.accessMode}` : '';
  return iso || mode ? `start transaction${iso}${mode}` : 'begin';
}

const run = async (conn: DatabaseConnection, text: string) => {
  await conn.executeQuery(CompiledQuery.raw(text));
};

/**
 * Savepoints are plain SQL on any PostgreSQL session. They go through `executeQuery` so Kysely's
 * query log, and with it the statement counter, sees them like every other round trip.
 */
export const savepointMethods = {
  savepoint: (conn: DatabaseConnection, name: string) => run(conn, `savepoint "${name}"`),
  rollbackToSavepoint: (conn: DatabaseConnection, name: string) => run(conn, `rollback to savepoint "${name}"`),
  releaseSavepoint: (conn: DatabaseConnection, name: string) => run(conn, `release savepoint "${name}"`),
} satisfies Pick<Driver, 'savepoint' | 'rollbackToSavepoint' | 'releaseSavepoint'>;
