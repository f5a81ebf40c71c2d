import type autocannon from 'autocannon';
import { sql } from 'kysely';
import { importProductsCsv } from '../src/modules/imports/index.js';
import { systemActor } from '../src/platform/audit/audit.js';
import { seed, seedProducts } from '../src/seed.js';
import { wireModules } from '../src/wiring.js';
import { type BenchContext, benchDb, load, type Result, startBackroom, startScript } from './support.js';

/**
 * Storefront list and detail against a seeded catalog (1,000 products × 3 variants by default),
 * each next to the baseline: the same documents from a bare server with one hand-written query
 * (and, for reference, products assembled with joins from the write tables). Measured with the
 * cache on (default) and off, each also as a revalidation: the same requests with the current
 * ETag in `If-None-Match`, every answer a 304. Needs PostgreSQL (the baseline talks to it directly).
 */

export const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 1000);

export async function seedCatalog(databaseUrl: string): Promise<string[]> {
  const handle = await benchDb(databaseUrl);
  try {
    await seed(handle.db);
    await seedProducts(handle.db, PRODUCTS);
    // Fresh tables have no statistics; a real shop's have (autovacuum). Plan as production would.
    await sql`analyze`.execute(handle.db);
    const rows = await handle.db.selectFrom('product').select('handle').where('status', '=', 'active').execute();
    return rows.map((r) => r.handle);
  } finally {
    await handle.close();
  }
}

export async function storefrontScenarios(
  ctx: BenchContext,
  handles: readonly string[],
): Promise<Record<string, Result>> {
  if (!ctx.databaseUrl) throw new Error('the storefront scenarios need PostgreSQL (DATABASE_URL)');
  const pages = Array.from({ length: Math.max(1, Math.floor(handles.length / 20)) }, (_, i) => i * 20);
  const listPaths = pages.map((o) => `/v1/store/products?limit=20&offset=${o}&currency=EUR`);
  const detailPaths = handles.map((h) => `/v1/store/products/${h}?currency=EUR`);
  const out: Record<string, Result> = {};

  const baseline = await startScript('bench/baseline-server.ts', { DATABASE_URL: ctx.databaseUrl }, '/ready');
  let baseList: Result;
  let baseDetail: Result;
  try {
    baseList = await load(ctx, baseline.url, { paths: pages.map((o) => `/products?offset=${o}`) });
    baseDetail = await load(ctx, baseline.url, { paths: handles.map((h) => `/products/${h}`) });
    out['list: bare server, joins on write tables'] = {
      ...(await load(ctx, baseline.url, { paths: pages.map((o) => `/joins/products?offset=${o}`) })),
      note: 'reference: no read model',
    };
    out['detail: bare server, joins on write tables'] = {
      ...(await load(ctx, baseline.url, { paths: handles.map((h) => `/joins/products/${h}`) })),
      note: 'reference: no read model',
    };
  } finally {
    await baseline.stop();
  }
  for (const [label, env] of [
    ['', {}],
    [' (no cache)', { STOREFRONT_CACHE_ENTRIES: '0' }],
  ] as const) {
    const server = await startBackroom(ctx, env);
    try {
      // One request for every path first: the steady state of a shop whose pages have been asked for
      // (the cache is warm, the serializers compiled); measuring from cold counted 1,000 misses of a
      // 5 s run as the cached figure. Their tags are what the revalidation runs send.
      const tags = await currentTags(server.url, [...listPaths, ...detailPaths]);
      out[`list${label}`] = {
        ...(await load(ctx, server.url, { paths: listPaths })),
        baseline: baseList,
        note: 'random page of 20',
      };
      out[`detail${label}`] = {
        ...(await load(ctx, server.url, { paths: detailPaths })),
        baseline: baseDetail,
        note: 'random product',
      };
      out[`list: 304 revalidation${label}`] = {
        ...(await revalidate(ctx, server.url, listPaths, tags)),
        baseline: baseList,
        note: 'If-None-Match: the current ETag',
      };
      out[`detail: 304 revalidation${label}`] = {
        ...(await revalidate(ctx, server.url, detailPaths, tags)),
        baseline: baseDetail,
        note: 'If-None-Match: the current ETag',
      };
    } finally {
      await server.stop();
    }
  }
  return out;
}

/** The ETag of each path's current answer. */
async function currentTags(url: string, paths: readonly string[]): Promise<Map<string, string>> {
  const tags = new Map<string, string>();
  for (const path of paths) {
    const res = await fetch(url + path);
    await res.arrayBuffer();
    const etag = res.headers.get('etag');
    if (!res.ok || !etag) throw new Error(`${path}: ${res.status} without an ETag`);
    tags.set(path, etag);
  }
  return tags;
}

/** Random paths, each with its current tag: every answer must be a 304 (anything else counts as an error). */
function revalidate(ctx: BenchContext, url: string, paths: readonly string[], tags: Map<string, string>) {
  return load(ctx, url, {
    expectStatus: 304,
    requests: [
      {
        setupRequest: (req: autocannon.Request) => {
          const path = paths[Math.floor(Math.random() * paths.length)] ?? '/';
          req.path = path;
          req.headers = { ...req.headers, 'if-none-match': tags.get(path) ?? '' };
          return req;
        },
      },
    ],
  });
}

/** Imports a generated CSV of `count` products × 3 variants with stock; reports rows per second. */
export async function importScenario(ctx: BenchContext, count = 10_000): Promise<Result> {
  const handle = await benchDb(ctx.databaseUrl);
  try {
    await seed(handle.db);
    const lines = [
      'handle,title,description,status,tags,option1_name,option1_value,sku,price_EUR,price_USD,stock_main',
    ];
    const run = Date.now().toString(36);
    for (let i = 0; i < count; i++) {
      for (const size of ['S', 'M', 'L']) {
        const first = size === 'S';
        lines.push(
          `imp-${run}-${i},${first ? `Imported Product ${i}` : ''},${first ? 'Generated for the import bench' : ''},${first ? 'active' : ''},${first ? 'bench|import' : ''},Size,${size},IMP-${run}-${i}-${size},${1000 + (i % 50) * 100},${1100 + (i % 50) * 100},${i % 40}`,
        );
      }
    }
    const t0 = performance.now();
    const report = await importProductsCsv(wireModules(handle.db), `${lines.join('\n')}\n`, {
      ctx: systemActor,
      referenceId: 'bench',
    });
    const seconds = (performance.now() - t0) / 1000;
    if (report.status !== 'done')
      throw new Error(`import bench rejected: ${JSON.stringify(report.errors.slice(0, 3))}`);
    return {
      opsPerSec: Math.round(count / seconds),
      p50Ms: 0,
      p99Ms: 0,
      errors: report.errors.length,
      note: `${count} products × 3 variants + stock in ${seconds.toFixed(1)} s (products/s)`,
    };
  } finally {
    await handle.close();
  }
}
