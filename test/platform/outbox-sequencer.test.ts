import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newStatementScope, runWithStatementScope } from '../../src/platform/db/query-stats.js';
import { withTransaction } from '../../src/platform/db/transaction.js';
import { readEventsAfter, readEventsSince } from '../../src/platform/outbox/feed.js';
import { appendEvent } from '../../src/platform/outbox/outbox.js';
import { sequenceEvents } from '../../src/platform/outbox/sequencer.js';
import { createTestDb, type TestDb, usingPostgres } from '../support/db.js';
import { appendEvents, deferred } from '../support/fixtures/outbox.js';

describe('outbox sequencer (commit-order positions)', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(() => t.destroy());

  const positionOf = async (id: string) =>
    (await t.db.selectFrom('outbox_event').select('position').where('id', '=', id).executeTakeFirstOrThrow()).position;

  it('numbers committed events in id order, in batches, once', async () => {
    const ids = await appendEvents(t.db, 5);
    expect(await readEventsAfter(t.db, { afterPosition: 0, limit: 10 })).toEqual([]); // not sequenced yet
    expect(await sequenceEvents(t.db, { batchSize: 2 })).toBe(5);
    const idle = newStatementScope();
    expect(await runWithStatementScope(idle, () => sequenceEvents(t.db))).toBe(0);
    expect(idle.count, idle.statements.join('\n')).toBe(1); // nothing pending: one read, no transaction
    const read = await readEventsAfter(t.db, { afterPosition: 0, limit: 10 });
    expect(read.map((e) => e.id)).toEqual(ids);
    const positions = read.map((e) => BigInt(e.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(positions).size).toBe(5);
    expect(read[0]).toMatchObject({ type: 'test.happened', payload: { n: 0 }, aggregateId: null });
    expect(read[0]?.sequencedAt).toBeInstanceOf(Date);
    // Paging from a position, and filtering by type.
    const after = await readEventsAfter(t.db, { afterPosition: read[2]?.position ?? '', limit: 10 });
    expect(after.map((e) => e.id)).toEqual(ids.slice(3));
    const [other] = await appendEvents(t.db, 1, 'other.happened');
    await sequenceEvents(t.db);
    const typed = await readEventsAfter(t.db, { afterPosition: 0, limit: 10, types: ['other.happened'] });
    expect(typed.map((e) => e.id)).toEqual([other]);
    expect(await readEventsAfter(t.db, { afterPosition: 0, limit: 10, types: [] })).toEqual([]);
    expect(await readEventsAfter(t.db, { afterPosition: 0, limit: 2 })).toHaveLength(2);
  });

  it('readEventsSince returns what was written since a time, in position order, paged', async () => {
    const old = await appendEvents(t.db, 2);
    await t.db
      .updateTable('outbox_event')
      .set({ created_at: new Date(Date.now() - 3 * 86_400_000) })
      .where('id', 'in', old)
      .execute();
    const recent = await appendEvents(t.db, 3);
    await sequenceEvents(t.db);
    const since = new Date(Date.now() - 86_400_000);
    const first = await readEventsSince(t.db, { since, limit: 2 });
    expect(first.map((e) => e.id)).toEqual(recent.slice(0, 2));
    const rest = await readEventsSince(t.db, { since, limit: 2, afterPosition: first[1]?.position ?? '' });
    expect(rest.map((e) => e.id)).toEqual(recent.slice(2));
  });

  it.runIf(usingPostgres)(
    'an event whose transaction commits later gets a larger position, whatever its id',
    async () => {
      const written = deferred<string>();
      const commit = deferred();
      const slow = withTransaction(t.db, async (tx) => {
        const id = await appendEvent<string>(tx, { type: 'test.happened', payload: { slow: true } });
        written.resolve(id);
        await commit.promise;
        return id;
      });
      const slowId = await written.promise;
      const [fastId] = await appendEvents(t.db, 1);
      expect(slowId < (fastId ?? '')).toBe(true);
      expect(await sequenceEvents(t.db)).toBe(1); // the open transaction's event is not visible yet
      commit.resolve();
      await slow;
      expect(await sequenceEvents(t.db)).toBe(1);
      expect(BigInt((await positionOf(slowId)) ?? 0)).toBeGreaterThan(BigInt((await positionOf(fastId ?? '')) ?? 0));
    },
  );

  it.runIf(usingPostgres)('a sequencer returns at once, numbering nothing, while another holds the lock', async () => {
    await appendEvents(t.db, 2);
    const locked = deferred();
    const release = deferred();
    const holder = withTransaction(t.db, async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtext('backroom.outbox.sequencer'))`.execute(tx);
      locked.resolve();
      await release.promise;
    });
    await locked.promise;
    expect(await sequenceEvents(t.db)).toBe(0);
    release.resolve();
    await holder;
    expect(await sequenceEvents(t.db)).toBe(2);
  });

  it.runIf(usingPostgres)(
    'a consumer paging by position sees every committed event exactly once while writers and two sequencers run',
    { timeout: 60_000 },
    async () => {
      const committed = new Set<string>();
      let writing = true;
      // Writers keep transactions open for a moment so commits land out of id order.
      const writer = async (w: number) => {
        for (let n = 0; n < 40; n++) {
          const ids = await withTransaction(t.db, async (tx) => {
            const out = [await appendEvent<string>(tx, { type: 'test.happened', payload: { w, n } })];
            await sleep((n * 7 + w * 3) % 5);
            if (n % 3 === 0)
              out.push(await appendEvent<string>(tx, { type: 'test.happened', payload: { w, n, second: true } }));
            return out;
          });
          for (const id of ids) committed.add(id);
        }
      };
      const sequencer = async () => {
        while (writing) await sequenceEvents(t.db, { batchSize: 7 });
      };
      const seen: string[] = [];
      const backwards: string[] = [];
      let cursor = '0';
      const consume = async () => {
        const page = await readEventsAfter(t.db, { afterPosition: cursor, limit: 13 });
        for (const e of page) {
          if (BigInt(e.position) <= BigInt(cursor)) backwards.push(`${e.position} after ${cursor}`);
          cursor = e.position;
          seen.push(e.id);
        }
      };
      const consumer = async () => {
        while (writing) await consume();
      };
      const running = [sequencer(), sequencer(), consumer()];
      await Promise.all([0, 1, 2, 3].map(writer));
      writing = false;
      await Promise.all(running);
      await sequenceEvents(t.db);
      const deadline = Date.now() + 10_000;
      while (seen.length < committed.size && Date.now() < deadline) await consume();
      expect(backwards).toEqual([]);
      expect(seen.length).toBe(committed.size);
      expect(new Set(seen)).toEqual(committed);
    },
  );
});
