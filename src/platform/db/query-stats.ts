import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Counts SQL statements per unit of work (an HTTP request, a job) so tests can assert statement
 * budgets and an N+1 fails the build. The db layer calls `recordStatement()` for every statement;
 * whoever opened a scope with `countStatements` reads the total.
 */
export interface StatementScope {
  count: number;
  statements: string[];
}

const storage = new AsyncLocalStorage<StatementScope>();

export function recordStatement(sqlText: string): void {
  const scope = storage.getStore();
  if (!scope) return;
  scope.count += 1;
  if (scope.statements.length < 500) scope.statements.push(sqlText);
}

/** Runs `fn` with a fresh statement scope. Nested scopes count separately. */
export function runWithStatementScope<T>(scope: StatementScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function newStatementScope(): StatementScope {
  return { count: 0, statements: [] };
}

export function currentStatementScope(): StatementScope | undefined {
  return storage.getStore();
}
