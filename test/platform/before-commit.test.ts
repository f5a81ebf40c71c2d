import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushQueuedWrites } from '../../src/platform/db/before-commit.js';
import { newStatementScope, runWithStatementScope } from '../../src/platform/db/query-stats.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { appendEvent } from '../../src/platform/outbox/outbox.js';
import { createTestDb, type TestDb } from '../support/db.js';

/** Outbox events are written just before COMMIT, all of a transaction's in one statement (before-commit.ts). */
describe('writes made before commit', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.destroy());

  const events = () => t.db.selectFrom('outbox_event').select(['id', 'type', 'payload']).orderBy('id').execute();
  const inserts = (statements: string[]) => statements.filter((s) => /insert into "outbox_event"/.test(s)).length;

  it("sends a transaction's events as one insert, in the order they were appended", async () => {
    const scope = newStatementScope();
    const ids = await runWithStatementScope(scope, () =>
      withTransaction(t.db, async (tx) => {
        const out: string[] = [];
        for (const n of [1, 2, 3]) out.push(await appendEvent<string>(tx, { type: 'test.happened', payload: { n } }));
        return out;
      }),
    );
    expect(inserts(scope.statements)).toBe(1);
    const rows = await events();
    expect(rows.map((r) => r.id)).toEqual(ids);
    expect(rows.map((r) => r.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('writes nothing when the transaction fails, and nothing twice when it is retried', async () => {
    await expect(
      withTransaction(t.db, async (tx) => {
        await appendEvent<string>(tx, { type: 'test.happened', payload: {} });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await events()).toEqual([]);

    let attempt = 0;
    await withTransaction(t.db, async (tx) => {
      await appendEvent<string>(tx, { type: 'test.happened', payload: { attempt } });
      // A serialization failure: withTransaction rolls back and runs the function again.
      if (attempt++ === 0) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    });
    expect((await events()).map((r) => r.payload)).toEqual([{ attempt: 1 }]);
  });

  it('a reader of a queued kind flushes it first and sees its rows; the rest still waits for COMMIT', async () => {
    const scope = newStatementScope();
    await runWithStatementScope(scope, () =>
      withTransaction(t.db, async (tx) => {
        await appendEvent<string>(tx, { type: 'test.happened', payload: { n: 1 } });
        await flushQueuedWrites(tx, 'outbox_event');
        expect(await tx.selectFrom('outbox_event').select('payload').execute()).toEqual([{ payload: { n: 1 } }]);
        await appendEvent<string>(tx, { type: 'test.happened', payload: { n: 2 } });
        await flushQueuedWrites(tx, 'something_else');
        expect(await tx.selectFrom('outbox_event').select('id').execute()).toHaveLength(1);
      }),
    );
    expect(inserts(scope.statements)).toBe(2);
    expect((await events()).map((r) => r.payload)).toEqual([{ n: 1 }, { n: 2 }]);
    // Outside a queued transaction there is nothing to flush.
    await flushQueuedWrites(t.db, 'outbox_event');
  });

  it('writes at once in a transaction withTransaction did not open', async () => {
    await t.db.transaction().execute(async (tx) => {
      await appendEvent<string>(tx, { type: 'test.happened', payload: {} });
      // Visible inside the transaction: there is no queue to flush later.
      expect(await tx.selectFrom('outbox_event').select('id').execute()).toHaveLength(1);
    });
  });
});
