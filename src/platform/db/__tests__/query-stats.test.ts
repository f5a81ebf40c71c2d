import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/support/db.js';
import { currentStatementScope, newStatementScope, runWithStatementScope } from '../query-stats.js';
import { withTransaction } from '../transaction.js';

/**
 * The statement counter behind query budgets. It counts round trips to the database: every
 * statement, and also a transaction's BEGIN and COMMIT (or ROLLBACK), because those cost a round
 * trip each like any other statement. So a transaction of 2 selects counts 4.
 */
describe('statement counter', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.destroy());

  const select = (n: number) => sql`select ${n}::int as n`.execute(t.db);

  it('counts exactly the statements run inside the scope', async () => {
    const scope = newStatementScope();
    await runWithStatementScope(scope, async () => {
      await select(1);
      await select(2);
      await select(3);
    });
    expect(scope.count).toBe(3);
    expect(scope.statements).toEqual(Array(3).fill('select $1::int as n'));
  });

  it('counts nothing outside a scope and nothing after the scope ended', async () => {
    const scope = newStatementScope();
    await runWithStatementScope(scope, () => select(1));
    await select(2);
    expect(scope.count).toBe(1);
    expect(currentStatementScope()).toBeUndefined();
  });

  it('counts a transaction of 2 statements as 4: begin, the statements, commit', async () => {
    const scope = newStatementScope();
    await runWithStatementScope(scope, () =>
      withTransaction(t.db, async (tx) => {
        await sql`select 1`.execute(tx);
        await sql`select 2`.execute(tx);
      }),
    );
    expect(scope.count).toBe(4);
    expect(scope.statements).toEqual(['begin', 'select 1', 'select 2', 'commit']);
  });

  it('counts begin, isolation level and a per-transaction lock_timeout as the round trips they are', async () => {
    const scope = newStatementScope();
    await runWithStatementScope(scope, () =>
      withTransaction(t.db, (tx) => sql`select 1`.execute(tx), { isolation: 'repeatable read', lockTimeoutMs: 100 }),
    );
    expect(scope.statements[0]).toBe('start transaction isolation level repeatable read');
    expect(scope.count).toBe(4);
  });

  it('counts a failed statement and the rollback', async () => {
    const scope = newStatementScope();
    await runWithStatementScope(scope, () =>
      withTransaction(t.db, async (tx) => {
        await sql`select 1 / 0`.execute(tx);
      }).catch(() => {}),
    );
    expect(scope.statements).toEqual(['begin', 'select 1 / 0', 'rollback']);
  });

  it('keeps concurrent scopes apart', async () => {
    const a = newStatementScope();
    const b = newStatementScope();
    await Promise.all([
      runWithStatementScope(a, async () => {
        for (let i = 0; i < 5; i++) await select(i);
      }),
      runWithStatementScope(b, async () => {
        for (let i = 0; i < 2; i++) await select(i);
      }),
    ]);
    expect([a.count, b.count]).toEqual([5, 2]);
  });

  it('counts statements of a nested scope only in the nested scope', async () => {
    const outer = newStatementScope();
    const inner = newStatementScope();
    await runWithStatementScope(outer, async () => {
      await select(1);
      await runWithStatementScope(inner, () => select(2));
      await select(3);
    });
    expect([outer.count, inner.count]).toEqual([2, 1]);
  });
});
