import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/support/db.js';
import { AppError, ConflictError } from '../../errors.js';
import {
  CheckViolationError,
  ForeignKeyViolationError,
  mapDbError,
  sqlState,
  UniqueViolationError,
} from '../pg-errors.js';
import { withTransaction } from '../transaction.js';

/** Runs a statement that must fail and returns the database's error, mapped. */
async function mappedFailure(t: TestDb, statement: string): Promise<unknown> {
  const raw = await sql
    .raw(statement)
    .execute(t.db)
    .then(
      () => {
        throw new Error(`expected "${statement}" to fail`);
      },
      (err: unknown) => err,
    );
  return mapDbError(raw);
}

describe('database errors map to typed errors by SQLSTATE', () => {
  let t: TestDb;

  beforeAll(async () => {
    t = await createTestDb();
    await sql`create table scratch_parent (id int primary key)`.execute(t.db);
    await sql`
      create table scratch_item (
        id int primary key,
        code text not null constraint scratch_item_code_key unique,
        qty int not null constraint scratch_item_qty_check check (qty >= 0),
        parent_id int constraint scratch_item_parent_fk references scratch_parent (id),
        label varchar(5),
        small smallint
      )`.execute(t.db);
    await sql`insert into scratch_parent values (1)`.execute(t.db);
    await sql`insert into scratch_item (id, code, qty, parent_id) values (1, 'a', 1, 1)`.execute(t.db);
  });
  afterAll(() => t.destroy());

  it('maps a unique violation to 409 UNIQUE_VIOLATION naming the constraint', async () => {
    const err = await mappedFailure(t, `insert into scratch_item (id, code, qty) values (2, 'a', 1)`);
    expect(err).toBeInstanceOf(UniqueViolationError);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({
      status: 409,
      code: 'UNIQUE_VIOLATION',
      constraint: 'scratch_item_code_key',
      extensions: { constraint: 'scratch_item_code_key' },
    });
    expect(sqlState((err as Error).cause)).toBe('23505');
  });

  it('maps a check violation to 409 CHECK_VIOLATION naming the constraint', async () => {
    const err = await mappedFailure(t, `insert into scratch_item (id, code, qty) values (2, 'b', -1)`);
    expect(err).toBeInstanceOf(CheckViolationError);
    expect(err).toMatchObject({ status: 409, code: 'CHECK_VIOLATION', constraint: 'scratch_item_qty_check' });
  });

  it('maps a missing foreign key target to 409 FOREIGN_KEY_VIOLATION', async () => {
    const err = await mappedFailure(t, `insert into scratch_item (id, code, qty, parent_id) values (2, 'b', 1, 99)`);
    expect(err).toBeInstanceOf(ForeignKeyViolationError);
    expect(err).toMatchObject({ status: 409, code: 'FOREIGN_KEY_VIOLATION', constraint: 'scratch_item_parent_fk' });
  });

  it('maps deleting a row that is still referenced to 409 FOREIGN_KEY_VIOLATION', async () => {
    const err = await mappedFailure(t, 'delete from scratch_parent where id = 1');
    expect(err).toMatchObject({ status: 409, code: 'FOREIGN_KEY_VIOLATION', constraint: 'scratch_item_parent_fk' });
  });

  it.each([
    [
      'a value too long for its column',
      `insert into scratch_item (id, code, qty, label) values (2, 'b', 1, 'toolong')`,
    ],
    ['a number out of range', `insert into scratch_item (id, code, qty, small) values (2, 'b', 1, 70000)`],
  ])('maps %s to 422 VALUE_OUT_OF_RANGE', async (_what, statement) => {
    const err = await mappedFailure(t, statement);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 422, code: 'VALUE_OUT_OF_RANGE' });
  });

  it('leaves an error with no mapped SQLSTATE unchanged (a not-null violation is our bug: a 500)', async () => {
    const raw = await sql`insert into scratch_item (id, qty) values (3, 1)`.execute(t.db).catch((e: unknown) => e);
    expect(sqlState(raw)).toBe('23502');
    expect(mapDbError(raw)).toBe(raw);
  });

  it('maps by SQLSTATE, not message: a custom message with code 23505 is a unique violation', async () => {
    const err = await mappedFailure(
      t,
      `do $$ begin raise exception 'nothing about keys here' using errcode = 'unique_violation', constraint = 'made_up_key'; end $$`,
    );
    expect(err).toBeInstanceOf(UniqueViolationError);
    expect(err).toMatchObject({ constraint: 'made_up_key' });
  });

  it('maps by SQLSTATE, not message: a unique-violation message with another code is not mapped', async () => {
    const err = await mappedFailure(
      t,
      `do $$ begin raise exception 'duplicate key value violates unique constraint "scratch_item_code_key"'; end $$`,
    );
    expect(err).not.toBeInstanceOf(AppError);
    expect(sqlState(err)).toBe('P0001');
  });

  it('maps errors leaving withTransaction, and keeps nothing of the failed transaction', async () => {
    const err = await withTransaction(t.db, async (tx) => {
      await sql`insert into scratch_item (id, code, qty) values (5, 'e', 1)`.execute(tx);
      await sql`insert into scratch_item (id, code, qty) values (6, 'e', 1)`.execute(tx);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UniqueViolationError);
    const { rows } = await sql<{ n: number }>`select count(*) as n from scratch_item where id in (5, 6)`.execute(t.db);
    expect(rows[0]?.n).toBe(0);
  });

  it('passes an AppError through unchanged and never reads its code as a SQLSTATE', () => {
    const err = new AppError(409, 'TAKEN', 'Conflict');
    expect(mapDbError(err)).toBe(err);
    expect(sqlState(err)).toBeUndefined();
  });
});
