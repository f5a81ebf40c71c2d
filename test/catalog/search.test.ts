import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { createProducts } from './catalog.fixtures.js';
import { allPages, countStatements, list, storeGet, titles } from './storefront.support.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await createProducts(t.db.db, [
    { title: 'Organic Cotton T-Shirt', tags: ['basics'], description: 'Soft and breathable.' },
    { title: 'Chunky Knit Sweater', tags: ['winter'], description: 'Warm wool for cold days.' },
    { title: 'Pleated Skirt', tags: ['summer'], description: 'Light and airy.' },
    { title: 'Denim Jacket', tags: ['outerwear'], description: 'A classic cut.' },
    { title: 'Crème Brûlée Candle', tags: ['home'], description: 'Smells like dessert.' },
    // Ranking: the same word in the title, in a tag, in the description.
    { title: 'Linen Trousers', tags: ['relaxed'], description: 'Breezy legs.' },
    { title: 'Summer Hat', tags: ['linen'], description: 'Wide brim.' },
    { title: 'Beach Towel', tags: ['beach'], description: 'Woven from linen and cotton.' },
    { title: 'Waterproof Windbreaker', tags: ['rain'], description: 'Packs into its own pocket.' },
    { title: 'Mug', tags: ['kitchen'], description: 'Holds tea.' },
    { title: 'Draft Sweater', status: 'draft', description: 'Not for sale yet.' },
  ]);
});
afterAll(async () => {
  await t?.close();
});

const search = (q: string, extra = '') => titles(t, `q=${encodeURIComponent(q)}${extra}`);

describe('storefront search (q)', () => {
  it('ranks a title match above a tag match above a description match', async () => {
    expect(await search('linen ')).toEqual(['Linen Trousers', 'Summer Hat', 'Beach Towel']);
  });

  it('stems English words and ignores accents and case', async () => {
    expect(await search('shirts ')).toEqual(['Organic Cotton T-Shirt']);
    expect(await search('SWEATERS ')).toEqual(['Chunky Knit Sweater']);
    expect(await search('creme brulee')).toEqual(['Crème Brûlée Candle']);
  });

  it('matches hyphenated words written joined, hyphenated or apart', async () => {
    for (const q of ['tshirt', 't-shirt', 't shirt', 'T-Shirts ']) {
      expect(await search(q), q).toEqual(['Organic Cotton T-Shirt']);
    }
  });

  it('tolerates one typo (transpositions included) in words of 5+ letters', async () => {
    expect(await search('tshrit')).toEqual(['Organic Cotton T-Shirt']);
    expect(await search('swaeter')).toEqual(['Chunky Knit Sweater']);
    expect(await search('jakcet ')).toEqual(['Denim Jacket']);
    expect(await search('cottn ')).toEqual(['Organic Cotton T-Shirt', 'Beach Towel']);
  });

  it('tolerates two typos in words of 9+ letters, but not three', async () => {
    expect(await search('waterprouf ')).toEqual(['Waterproof Windbreaker']); // 1
    expect(await search('watreprouf ')).toEqual(['Waterproof Windbreaker']); // transposition + substitution
    expect(await search('windbraekr ')).toEqual(['Waterproof Windbreaker']); // transposition + deletion
    expect(await search('wtaerpruuf ')).toEqual([]); // 3 edits
  });

  it('allows no typo in words of 4 letters or fewer, and finds nothing for unrelated words', async () => {
    expect(await search('mug ')).toEqual(['Mug']);
    expect(await search('mgu ')).toEqual([]);
    expect(await search('hta ')).toEqual([]);
    expect(await search('sweeter ')).toEqual(['Chunky Knit Sweater']);
    for (const q of ['bicycle ', 'laptop ', 'zzzzzz ', 'sweatpants ', '!!!']) expect(await search(q), q).toEqual([]);
  });

  it('does not expand a word the catalog knows ("shirt" does not find "skirt")', async () => {
    expect(await search('skirt ')).toEqual(['Pleated Skirt']);
    expect(await search('shirt ')).toEqual(['Organic Cotton T-Shirt']);
  });

  it('requires every word and treats the last one as a prefix while typing', async () => {
    expect(await search('knit swea')).toEqual(['Chunky Knit Sweater']);
    expect(await search('cotton tow')).toEqual(['Beach Towel']);
    expect(await search('cotton sweater')).toEqual([]);
    expect(await search('swea ')).toEqual([]); // finished word: no prefix
  });

  it('never finds drafts; combines with filters; pages by relevance cursor', async () => {
    expect(await search('draft')).toEqual([]);
    expect(await search('linen', '&tag=linen')).toEqual(['Summer Hat']);
    const ids = await allPages(t, 'q=linen', 1, 'cursor');
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    expect((await list(t, 'q=linen&sort=title')).data.map((p) => p.title)).toEqual([
      'Beach Towel',
      'Linen Trousers',
      'Summer Hat',
    ]);
  });

  it('answers a search page with one statement', async () => {
    const { result, count } = await countStatements(() => storeGet(t, '/v1/store/products?q=tshrit&limit=5'));
    expect(result.statusCode).toBe(200);
    expect(count).toBeLessThanOrEqual(2);
    expect(count).toBe(1);
  });

  it('refuses an over-long query (400 naming q)', async () => {
    const res = await storeGet(t, `/v1/store/products?q=${'a'.repeat(201)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ errors: [{ path: '/query/q' }] });
  });
});
