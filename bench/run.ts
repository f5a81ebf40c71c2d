/**
 * `npm run bench [-- --scenarios list,detail --seconds 10 --database embedded|postgres]`:
 * throughput and latency of the running service, printed as a table and written to
 * bench/results/latest.json (and a timestamped copy) as
 * `{ scenarios: { <name>: { opsPerSec, p50Ms, p99Ms, errors, baseline? } } }`.
 *
 * The database is a fresh one created on DATABASE_URL's server (default: the local PostgreSQL)
 * and dropped afterwards; `--database embedded` uses the embedded one (no storefront scenarios:
 * their baseline needs PostgreSQL). Numbers compare before/after a change on the same machine.
 * `startup` times `serve` to ready; `soak` runs a mixed load for 60 s (or `--seconds`) and reports
 * RSS and p99 per window (bench/startup.ts, bench/soak.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { adminScenarios } from './admin.js';
import { importScenario, PRODUCTS, seedCatalog, storefrontScenarios } from './catalog.js';
import { checkoutScenarios } from './checkout.js';
import { webhookScenarios } from './gateways.js';
import { type NodesResult, nodesScenario } from './nodes.js';
import { httpBasics, loginUnderLoad, outboxRelay } from './platform.js';
import { soakScenario } from './soak.js';
import { startupScenarios } from './startup.js';
import { type BenchContext, type FlashResult, freshDatabase, type Result, startBackroom } from './support.js';
import { tracingScenarios } from './tracing.js';
import { type WebhooksOutResult, webhooksOut } from './webhooks-out.js';

const groups = [
  'platform',
  'login',
  'outbox',
  'list',
  'detail',
  'import',
  'cart',
  'checkout',
  'flash',
  'webhooks',
  'webhooks-out',
  'admin',
  'nodes',
  'startup',
  'soak',
  'tracing',
] as const;
type Group = (typeof groups)[number];

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: groups.join(',') },
    seconds: { type: 'string', default: process.env.BENCH_DURATION_S ?? '5' },
    database: { type: 'string', default: 'postgres' },
    connections: { type: 'string', default: process.env.BENCH_CONNECTIONS ?? '32' },
  },
});
const wanted = new Set((values.scenarios ?? '').split(',').map((s) => s.trim()) as Group[]);
for (const s of wanted) if (!groups.includes(s)) throw new Error(`unknown scenario ${s} (one of ${groups.join(', ')})`);

async function main() {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const db = values.database === 'embedded' ? undefined : await freshDatabase(base);
  const ctx: BenchContext = {
    seconds: Number(values.seconds),
    connections: Number(values.connections),
    databaseUrl: db?.url,
  };
  const scenarios: Record<string, Result | FlashResult | WebhooksOutResult | NodesResult> = {};
  try {
    if (wanted.has('list') || wanted.has('detail')) {
      if (!ctx.databaseUrl) throw new Error('list/detail need PostgreSQL: drop --database embedded');
      process.stdout.write(`seeding ${PRODUCTS} products × 3 variants…\n`);
      const handles = await seedCatalog(ctx.databaseUrl);
      const store = await storefrontScenarios(ctx, handles);
      for (const [name, r] of Object.entries(store)) {
        if (wanted.has(name.startsWith('list') ? 'list' : 'detail')) scenarios[name] = r;
      }
    }
    if (wanted.has('platform') || wanted.has('login')) {
      const server = await startBackroom(ctx);
      try {
        if (wanted.has('platform')) Object.assign(scenarios, await httpBasics(ctx, server.url));
        if (wanted.has('login')) Object.assign(scenarios, await loginUnderLoad(ctx, server.url));
      } finally {
        await server.stop();
      }
    }
    if (wanted.has('outbox')) scenarios['outbox relay'] = await outboxRelay(ctx);
    if (wanted.has('webhooks')) Object.assign(scenarios, await webhookScenarios(ctx));
    if (wanted.has('webhooks-out')) scenarios['webhooks-out'] = await webhooksOut(ctx);
    if (wanted.has('admin')) Object.assign(scenarios, await adminScenarios(ctx));
    if (wanted.has('nodes')) {
      if (!ctx.databaseUrl) throw new Error('nodes needs PostgreSQL: drop --database embedded');
      scenarios.nodes = await nodesScenario(ctx);
    }
    if (wanted.has('startup')) Object.assign(scenarios, await startupScenarios(ctx));
    if (wanted.has('soak')) scenarios.soak = await onOwnDatabase(ctx, base, soakScenario);
    if (wanted.has('tracing')) Object.assign(scenarios, await tracingScenarios(ctx));
    if (wanted.has('import')) scenarios['import 10,000 products (CSV)'] = await importScenario(ctx);
    if (wanted.has('cart') || wanted.has('checkout') || wanted.has('flash')) {
      if (!ctx.databaseUrl) throw new Error('cart/checkout/flash need PostgreSQL: drop --database embedded');
      Object.assign(
        scenarios,
        await onOwnDatabase(ctx, base, (own) =>
          checkoutScenarios(own, {
            cart: wanted.has('cart'),
            checkout: wanted.has('checkout'),
            flash: wanted.has('flash'),
          }),
        ),
      );
    }
  } finally {
    await db?.drop();
  }
  report(scenarios, db ? 'postgresql' : 'embedded', ctx);
}

/**
 * A scenario that seeds its own shop (a region for DE, …) runs on a database of its own: after `list`/`detail` seeded
 * the demo shop on the run's database, a second region for the same country is refused.
 */
async function onOwnDatabase<T>(ctx: BenchContext, base: string, run: (ctx: BenchContext) => Promise<T>): Promise<T> {
  if (!ctx.databaseUrl) return run(ctx);
  const own = await freshDatabase(base);
  try {
    return await run({ ...ctx, databaseUrl: own.url });
  } finally {
    await own.drop();
  }
}

function report(
  scenarios: Record<string, Result | FlashResult | WebhooksOutResult | NodesResult>,
  database: string,
  ctx: BenchContext,
) {
  const fmt = (r: Result) => [
    String(r.opsPerSec),
    r.p50Ms ? `${r.p50Ms}` : '',
    r.p99Ms ? `${r.p99Ms}` : '',
    String(r.errors),
  ];
  const rows = Object.entries(scenarios).flatMap(([name, r]): string[][] => {
    if ('one' in r) {
      // Several nodes: the same checkout op through the balancer with one serve node, then two.
      return [
        [`${name}: one serve node`, ...fmt(r.one), '', '', ''],
        [`${name}: two serve nodes`, ...fmt(r.two), '', '', r.note ?? ''],
      ];
    }
    return [row(name, r)];
  });
  function row(name: string, r: Result | FlashResult | WebhooksOutResult): string[] {
    if ('produced' in r) {
      // Outbound webhooks: events/s produced; the healthy endpoint's commit-to-receipt latency and verdict.
      const { healthy, slow, dead } = r.endpoints;
      const verdict = `${r.produced} events → healthy received ${healthy.received} (lost ${r.lost}, duplicates ${r.duplicates}, out of order ${r.outOfOrder}, bad signatures ${r.badSignatures}, ${r.deliveriesPerSec} deliveries/s); slow p50/p99 ${slow.p50Ms}/${slow.p99Ms} ms, ${slow.received} received; dead ${dead.attempts} attempts`;
      return [
        name,
        String(r.eventsPerSec),
        `${healthy.p50Ms ?? ''}`,
        `${healthy.p99Ms ?? ''}`,
        String(r.lost),
        '',
        '',
        verdict,
      ];
    }
    if ('buyers' in r) {
      // The flash sale: orders per second over the sale, and the verdict on overselling.
      const verdict = `${r.buyers} buyers, ${r.units} units → ${r.orders} orders, oversold ${r.oversold}, ${r.seconds} s (ops/s = answers/s)`;
      return [
        name,
        String(Math.round(r.buyers / Math.max(0.001, r.seconds))),
        '',
        '',
        '',
        '',
        '',
        `${verdict}; ${r.note ?? ''}`,
      ];
    }
    const vs = r.baseline ? `${Math.round((100 * r.opsPerSec) / Math.max(1, r.baseline.opsPerSec))}%` : '';
    return [name, ...fmt(r), r.baseline ? fmt(r.baseline).join(' / ') : '', vs, r.note ?? ''];
  }
  const head = [
    'scenario',
    'ops/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'baseline ops/s / p50 / p99 / errors',
    'of baseline',
    'note',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(
    `\nBackroom bench — ${new Date().toISOString()} — ${database}, ${ctx.connections} connections, ${ctx.seconds} s each\n\n`,
  );
  process.stdout.write(`${line(head)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  mkdirSync('bench/results', { recursive: true });
  const out = {
    at: new Date().toISOString(),
    database,
    node: process.version,
    connections: ctx.connections,
    seconds: ctx.seconds,
    // `flash` is exactly { buyers, units, orders, oversold, seconds } and `nodes` { one, two } (each a result with
    // opsPerSec); what they observed besides goes to `notes`.
    scenarios: Object.fromEntries(
      Object.entries(scenarios).map(([name, r]) => {
        if (!('buyers' in r) && !('produced' in r) && !('one' in r)) return [name, r];
        const { note: _note, ...exact } = r;
        return [name, exact];
      }),
    ),
    notes: Object.fromEntries(
      Object.entries(scenarios).flatMap(([name, r]) =>
        ('buyers' in r || 'produced' in r || 'one' in r) && r.note ? [[name, r.note]] : [],
      ),
    ),
  };
  writeFileSync('bench/results/latest.json', `${JSON.stringify(out, null, 2)}\n`);
  writeFileSync(`bench/results/${out.at.replace(/[:.]/g, '-')}.json`, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write('\nwritten: bench/results/latest.json\n');
}

await main();
