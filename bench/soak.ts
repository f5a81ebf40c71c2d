import { cartWithLine, checkoutOnce } from './checkout.js';
import { seedShop } from './checkout.shop.js';
import {
  type BenchContext,
  distIsStale,
  httpClient,
  type Result,
  startBackroom,
  startBackroomFromSource,
} from './support.js';

/**
 * `npm run bench -- --scenarios soak [--seconds N]`: one server under a mixed load for a bounded
 * time (60 s unless `--seconds` is given): 60 % storefront reads (a product list page or one
 * product), 25 % carts (create + add a line), 15 % whole guest checkouts, in
 * min(connections, 16) loops, on the checkout bench's shop. The server's resident memory is read
 * from its own `/metrics` (`process_resident_memory_bytes`) every second; p99 per window of about a
 * sixth of the run. Needs PostgreSQL (the shop is seeded from outside the server).
 */

export interface SoakResult extends Result {
  seconds: number;
  rssStartMb: number;
  rssEndMb: number;
  rssMaxMb: number;
  /** p99 latency of every op (any kind) per window, in order. */
  p99ByWindowMs: number[];
}

/** The run's length: `--seconds` (or BENCH_DURATION_S) when given, else 60 s. */
export function soakSeconds(ctx: BenchContext): number {
  const explicit =
    process.argv.some((a) => a === '--seconds' || a.startsWith('--seconds=')) || !!process.env.BENCH_DURATION_S;
  return explicit ? ctx.seconds : 60;
}

export async function soakScenario(ctx: BenchContext): Promise<SoakResult> {
  if (!ctx.databaseUrl) throw new Error('soak needs PostgreSQL: drop --database embedded');
  const seconds = soakSeconds(ctx);
  const shop = await seedShop(ctx.databaseUrl);
  const fromSource = distIsStale();
  const server = fromSource ? await startBackroomFromSource(ctx) : await startBackroom(ctx);
  const served = fromSource ? 'server from source (dist/ stale)' : 'server from dist/';
  const loops = Math.min(ctx.connections, 16);
  const c = httpClient(server.url, loops);
  // Its own connection: a memory reading must not queue behind the load's requests.
  const scrape = httpClient(server.url, 1);
  try {
    const list = await c.json<{ data: { id: string }[] }>(
      'GET',
      '/v1/store/products?limit=20&currency=EUR',
      undefined,
      200,
    );
    const productIds = list.data.map((p) => p.id);
    if (productIds.length === 0) throw new Error('soak: the storefront lists no products');
    const read = () =>
      Math.random() < 0.5
        ? c.json('GET', '/v1/store/products?limit=20&currency=EUR', undefined, 200)
        : c.json(
            'GET',
            `/v1/store/products/${productIds[Math.floor(Math.random() * productIds.length)]}?currency=EUR`,
            undefined,
            200,
          );
    const op = () => {
      const x = Math.random();
      return x < 0.6 ? read() : x < 0.85 ? cartWithLine(c, shop) : checkoutOnce(c, shop);
    };

    const rss = async () => {
      const res = await scrape.request('GET', '/metrics');
      const m = /^process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(res.text);
      if (!m) throw new Error('soak: /metrics has no process_resident_memory_bytes');
      return Math.round((Number(m[1]) / 1024 / 1024) * 10) / 10;
    };
    const rssStartMb = await rss();
    let rssMaxMb = rssStartMb;
    const windowMs = (Math.max(1, Math.round(seconds / 6)) * 1000) | 0;
    const windows: number[][] = [];
    const all: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    const sampler = setInterval(() => {
      rss().then(
        (mb) => {
          rssMaxMb = Math.max(rssMaxMb, mb);
        },
        () => {},
      );
    }, 1000);
    try {
      await Promise.all(
        Array.from({ length: loops }, async () => {
          while (performance.now() < end && errors < 10_000) {
            const s = performance.now();
            try {
              await op();
              const now = performance.now();
              const w = Math.floor((s - t0) / windowMs);
              const bucket = windows[w] ?? [];
              windows[w] = bucket;
              bucket.push(now - s);
              all.push(now - s);
            } catch (err) {
              errors++;
              firstError ??= err instanceof Error ? err.message : String(err);
            }
          }
        }),
      );
    } finally {
      clearInterval(sampler);
    }
    const elapsed = (performance.now() - t0) / 1000;
    const rssEndMb = await rss();
    rssMaxMb = Math.max(rssMaxMb, rssEndMb);
    const p99ByWindowMs = Array.from({ length: windows.length }, (_, i) => quantile(windows[i] ?? [], 0.99));
    return {
      opsPerSec: Math.round((all.length / elapsed) * 10) / 10,
      p50Ms: quantile(all, 0.5),
      p99Ms: quantile(all, 0.99),
      errors,
      seconds,
      rssStartMb,
      rssEndMb,
      rssMaxMb,
      p99ByWindowMs,
      note: `${loops} loops: 60% storefront reads, 25% cart, 15% checkout; RSS start ${rssStartMb} MB, end ${rssEndMb} MB, max ${rssMaxMb} MB; p99 per ${windowMs / 1000} s window: ${p99ByWindowMs.join(' / ')} ms; ${served}${firstError ? `; first error: ${firstError}` : ''}`,
    };
  } finally {
    c.close();
    scrape.close();
    await server.stop();
  }
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
}
