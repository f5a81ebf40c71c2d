import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkTables, readSources, type SourceText, tableOwners, tableReferences } from '../../tools/check-tables.js';

const run = promisify(execFile);

// A small project: orders owns `order` and `order_line`, payments owns `payment` (through an interface
// it extends), the platform owns `outbox_event`.
const tables: SourceText[] = [
  {
    path: 'src/modules/orders/orders.tables.ts',
    text: `
      export interface OrderTable { id: string }
      declare module '../../platform/db/database.js' {
        interface Database { order: OrderTable; order_line: { id: string; order_id: string } }
      }`,
  },
  {
    path: 'src/modules/payments/payments.tables.ts',
    text: `
      interface PaymentTables { payment: { id: string; order_id: string } }
      declare module '../../platform/db/database.js' {
        interface Database extends PaymentTables {}
      }`,
  },
  {
    path: 'src/platform/outbox/outbox.tables.ts',
    text: `declare module '../db/database.js' { interface Database { outbox_event: { id: string } } }`,
  },
];

// Fixture text writes an interpolation `${x}` as `#{x}` (a `${` in a plain string reads like a mistake).
const file = (path: string, text: string): SourceText => ({ path, text: text.replaceAll('#{', '${') });
const violationsOf = (...files: SourceText[]) =>
  checkTables([...tables, ...files]).violations.map((v) => `${v.path}:${v.line} ${v.table} ${v.owner} ${v.via}`);

describe('check-tables: who owns a table', () => {
  it('reads owners from the Database declarations, through `extends` of a local interface', () => {
    const owners = tableOwners(tables);
    expect(Object.fromEntries([...owners].map(([t, o]) => [t, o.owner]))).toEqual({
      order: 'orders',
      order_line: 'orders',
      payment: 'payments',
      outbox_event: 'platform',
    });
  });

  it('refuses a table declared by two modules', () => {
    const twice = file(
      'src/modules/checkout/checkout.tables.ts',
      `declare module '../../platform/db/database.js' { interface Database { order: { id: string } } }`,
    );
    expect(() => tableOwners([...tables, twice])).toThrow(/table order is declared by .*orders.* and .*checkout/);
  });

  it('refuses an `extends` it cannot read rather than leaving tables unowned', () => {
    const imported = file(
      'src/modules/inventory/inventory.tables.ts',
      `import type { Tables } from './x.js';
       declare module '../../platform/db/database.js' { interface Database extends Tables {} }`,
    );
    expect(() => tableOwners([imported])).toThrow(/extends Tables/);
  });

  it('knows the real tree: order → orders, payment → payments, audit_log → platform, login_throttle → identity', () => {
    const owners = tableOwners(readSources(process.cwd()));
    expect(owners.get('order')?.owner).toBe('orders');
    expect(owners.get('payment')?.owner).toBe('payments');
    expect(owners.get('audit_log')?.owner).toBe('platform');
    expect(owners.get('outbox_event')?.owner).toBe('platform');
    expect(owners.get('login_throttle')?.owner).toBe('identity');
    expect(owners.size).toBeGreaterThan(50);
  });
});

describe('check-tables: references', () => {
  it('passes a module that names only its own tables', () => {
    const own = file(
      'src/modules/orders/orders.sql.ts',
      `export const q = (db) => db.selectFrom('order as o').innerJoin('order_line as l', 'l.order_id', 'o.id');
       export const r = sql\`select * from "order" o join order_line l on l.order_id = o.id\`;`,
    );
    expect(violationsOf(own)).toEqual([]);
  });

  it('catches every Kysely form: aliased, in an array, joins, writes, a schema prefix, sql.table', () => {
    const bad = file(
      'src/modules/checkout/completion.ts',
      [
        `db.selectFrom('order as o')`,
        `db.selectFrom(['cart', 'payment as p'])`,
        `db.selectFrom('cart').leftJoin('order_line as l', 'l.id', 'cart.id')`,
        `db.updateTable('order').set({})`,
        `db.insertInto('payment').values({})`,
        `db.deleteFrom('public.order_line')`,
        `sql\`select * from \${sql.table('payment')}\``,
      ].join('\n'),
    );
    expect(violationsOf(bad)).toEqual([
      'src/modules/checkout/completion.ts:1 order orders selectFrom',
      'src/modules/checkout/completion.ts:2 payment payments selectFrom',
      'src/modules/checkout/completion.ts:3 order_line orders leftJoin',
      'src/modules/checkout/completion.ts:4 order orders updateTable',
      'src/modules/checkout/completion.ts:5 payment payments insertInto',
      'src/modules/checkout/completion.ts:6 order_line orders deleteFrom',
      'src/modules/checkout/completion.ts:7 payment payments table',
    ]);
  });

  it('catches raw SQL: quoted names, joins, from lists, update/into/using, sql.raw, across interpolations', () => {
    const bad = file(
      'src/modules/checkout/paid.ts',
      [
        'const a = sql`select 1',
        '  from cart c',
        '  join "order" o on o.cart_id = c.id`;',
        'const b = sql`select * from due, payment p where p.id = #{id}`;',
        'const c = sql<{ n: number }>`update order_line set n = #{n} where id in (select id from cart)`;',
        'const d = sql`insert into public."payment" (id) values (#{id})`;',
        'const e = sql`delete from cart using order_line l where l.id = cart.id`;',
        'const f = sql.raw(\'lock table only "order" in share mode\');',
        'const g = sql`select #{x} from #{y} left join lateral (select * from payment) p on true`;',
      ].join('\n'),
    );
    expect(violationsOf(bad)).toEqual([
      'src/modules/checkout/paid.ts:3 order orders sql',
      'src/modules/checkout/paid.ts:4 payment payments sql',
      'src/modules/checkout/paid.ts:5 order_line orders sql',
      'src/modules/checkout/paid.ts:6 payment payments sql',
      'src/modules/checkout/paid.ts:7 order_line orders sql',
      'src/modules/checkout/paid.ts:8 order orders sql',
      'src/modules/checkout/paid.ts:9 payment payments sql',
    ]);
  });

  it('does not take comments, string literals, column names or interpolations for tables', () => {
    const fine = file(
      'src/modules/checkout/fine.ts',
      [
        '// selects from payment (a comment in TypeScript)',
        "const msg = 'removed from order';",
        "db.selectFrom('cart').select(['cart.id', 'payment_status'])",
        "sql`select extract(epoch from now()) -- from payment\n, 'from order' as s /* join payment */ from cart`",
        'sql`select * from #{sql.ref("order")} where status is distinct from #{s}`',
      ].join('\n'),
    );
    expect(violationsOf(fine)).toEqual([]);
    expect(tableReferences(fine).map((r) => r.table)).toEqual(['cart', 'now', 'cart']);
  });

  it("the platform may not name a module's table; a module may not write SQL on the platform's tables", () => {
    const platform = file('src/platform/outbox/relay.ts', `db.selectFrom('outbox_event').innerJoin('order', 'a', 'b')`);
    const module = file('src/modules/orders/events.ts', `sql\`select count(*) from outbox_event\``);
    expect(violationsOf(platform, module)).toEqual([
      'src/platform/outbox/relay.ts:1 order orders innerJoin',
      'src/modules/orders/events.ts:1 outbox_event platform sql',
    ]);
  });

  it('does not scan tests, migrations or the app wiring (foreign keys and fixtures may name any table)', () => {
    expect(
      violationsOf(
        file('src/modules/checkout/__tests__/x.test.ts', `db.selectFrom('order')`),
        file('src/migrations/0021_checkout.ts', 'sql`create table cart (order_id text references "order" (id))`'),
        file('src/wiring.ts', `db.selectFrom('payment')`),
      ),
    ).toEqual([]);
  });

  it('lists a table a migration creates that no module declares', () => {
    const migration = file(
      'src/migrations/0030_identity_throttle.ts',
      "sql`create table if not exists login_throttle (key text)`; db.schema.createTable('payment')",
    );
    expect(checkTables([...tables, migration]).undeclared).toEqual([
      { table: 'login_throttle', path: 'src/migrations/0030_identity_throttle.ts' },
    ]);
  });
});

describe('check-tables: the command', () => {
  const script = join(process.cwd(), 'tools/check-tables.ts');
  const tsx = join(process.cwd(), 'node_modules/.bin/tsx');

  it('exits 1 and names file:line, the table and its owner for a cross-module read', async () => {
    const root = mkdtempSync(join(tmpdir(), 'check-tables-'));
    try {
      for (const t of tables) {
        mkdirSync(dirname(join(root, t.path)), { recursive: true });
        writeFileSync(join(root, t.path), t.text);
      }
      mkdirSync(join(root, 'src/modules/checkout'), { recursive: true });
      writeFileSync(
        join(root, 'src/modules/checkout/peek.ts'),
        "\nexport const peek = (db) => db.selectFrom('order as o');\n",
      );
      const failed = await run(tsx, [script, root]).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toContain('src/modules/checkout/peek.ts:2  checkout names table order (owned by orders)');

      rmSync(join(root, 'src/modules/checkout/peek.ts'));
      const { stderr } = await run(tsx, [script, root]);
      expect(stderr).toContain('4 tables, each named only by its owner');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
