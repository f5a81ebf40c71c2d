import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { createProducts, type ProductSpec } from './catalog.fixtures.js';
import { countStatements, list } from './storefront.support.js';

/**
 * Storefront statements on 1,000 products with a ~3,000-word vocabulary (brand-like made-up words
 * next to ordinary ones). Prints the timings; the bounds only catch a lost index or an N+1.
 */

const nouns = [
  'shirt',
  'sweater',
  'jacket',
  'trousers',
  'scarf',
  'hat',
  'boots',
  'socks',
  'dress',
  'skirt',
  'hoodie',
  'blanket',
];
const adjectives = [
  'organic',
  'woollen',
  'waterproof',
  'vintage',
  'oversized',
  'striped',
  'lightweight',
  'classic',
  'recycled',
];

// Deterministic pseudo-random words, so a failure reproduces.
let seed = 42;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
const madeUp = () =>
  Array.from({ length: 5 + Math.floor(rand() * 6) }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join('');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  const specs: ProductSpec[] = Array.from({ length: 1000 }, (_, i) => ({
    title: `${madeUp()} ${pick(adjectives)} ${pick(nouns)} ${madeUp()}`,
    tags: [madeUp(), pick(adjectives)],
    description: `${madeUp()} ${madeUp()} made with care, item ${i}.`,
    variants: [{ prices: { EUR: 500 + i } }, { prices: { EUR: 900 + i } }],
  }));
  await createProducts(t.db.db, specs);
});
afterAll(async () => {
  await t?.close();
});

async function timed(query: string, runs = 7) {
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < runs; i++) {
    // A distinct limit per run keeps any cache out of the measurement.
    const started = performance.now();
    const { result, count } = await countStatements(() => list(t, `${query}&limit=${20 - i}`));
    times.push(performance.now() - started);
    expect(count).toBe(1);
    total = result.total;
  }
  times.sort((x, y) => x - y);
  return { median: times[Math.floor(runs / 2)]!, total };
}

describe('storefront on 1,000 products', () => {
  it('answers lists and searches in one statement each, quickly', async ({ annotate }) => {
    const report: string[] = [];
    for (const query of [
      'sort=newest',
      'sort=price_asc&currency=EUR',
      'q=sweater',
      'q=swaeter',
      'q=waterprouf%20jakcet',
      'q=vintage%20sw',
    ]) {
      const { median, total } = await timed(query);
      report.push(`${query}: ${median.toFixed(1)} ms (${total} hits)`);
      expect(median, query).toBeLessThan(1000);
    }
    const vocabulary = await t.db.db
      .selectFrom('catalog_word')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    await annotate(`vocabulary ${vocabulary.n} words\n${report.join('\n')}`);
    expect((await list(t, 'q=swaeter')).total).toBe((await list(t, 'q=sweater')).total);
  });
});
