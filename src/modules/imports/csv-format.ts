import { parse } from 'csv-parse/sync';
import { isCurrency, MAX_AMOUNT } from '../../platform/money.js';

/**
 * The product CSV (import and export share it): one row per variant; rows with the same `handle`
 * form one product, whose product-level columns are read from its first row (later rows may leave
 * them empty, but must not contradict them).
 *
 *   handle,title,description,status,tags,categories,collections,channels,
 *   option1_name,option1_value,option2_name,option2_value,option3_name,option3_value,
 *   sku,barcode,weight_grams,price_EUR,compare_at_EUR,…,stock_<LOCATION CODE>,…
 *
 * Lists (`tags`, `categories` and `collections` as handles, `channels` as ids) are `|`-separated.
 * Without a `channels` column, products are published to the default channel.
 */

export const LIST_SEPARATOR = '|';
/** The fixed columns, in export order; price, compare-at and stock columns follow. */
export const FIXED_COLUMNS = [
  'handle',
  'title',
  'description',
  'status',
  'tags',
  'categories',
  'collections',
  'channels',
  'option1_name',
  'option1_value',
  'option2_name',
  'option2_value',
  'option3_name',
  'option3_value',
  'sku',
  'barcode',
  'weight_grams',
] as const;
const HANDLE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export interface RowError {
  /** 1-based line number in the file (the header is line 1). */
  row: number;
  column: string;
  message: string;
}

export interface ImportVariant {
  row: number;
  sku: string;
  barcode: string | null;
  weightGrams: number | null;
  options: Record<string, string>;
  prices: { currency: string; amount: number; compareAtAmount: number | null }[];
  /** location code → on hand (set, not added). */
  stock: Record<string, number>;
}

export interface ImportProduct {
  /** Rows of the product, for error reports. */
  rows: number[];
  handle: string;
  title: string;
  description: string;
  status: 'draft' | 'active' | 'archived';
  tags: string[];
  categoryHandles: string[];
  collectionHandles: string[];
  /** null: the column is absent (publish to the default channel). */
  channelIds: string[] | null;
  options: { name: string; values: string[] }[];
  variants: ImportVariant[];
}

export interface ParsedFile {
  products: ImportProduct[];
  errors: RowError[];
  totalRows: number;
  currencies: string[];
  locationCodes: string[];
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(LIST_SEPARATOR)
    .map((x) => x.trim())
    .filter(Boolean);

function integer(
  raw: string,
  row: number,
  column: string,
  errors: RowError[],
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | null {
  const v = raw.trim();
  if (v === '') return null;
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max || !Number.isSafeInteger(Number(v))) {
    errors.push({ row, column, message: `must be a whole number from ${min} to ${max}` });
    return null;
  }
  return Number(v);
}

/** Parses and validates the whole file; returns every problem (with its row), never throws on content. */
export function parseProductCsv(text: string): ParsedFile {
  const errors: RowError[] = [];
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: false });
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    return {
      products: [],
      errors: [{ row: line, column: '', message: `not valid CSV: ${(err as Error).message}` }],
      totalRows: 0,
      currencies: [],
      locationCodes: [],
    };
  }
  const [header, ...body] = records;
  if (!header)
    return {
      products: [],
      errors: [{ row: 1, column: '', message: 'the file is empty' }],
      totalRows: 0,
      currencies: [],
      locationCodes: [],
    };
  const cols = header.map((h) => h.trim());
  const known = new Set<string>(FIXED_COLUMNS);
  const currencies: string[] = [];
  const locationCodes: string[] = [];
  for (const c of cols) {
    const price = /^(price|compare_at)_([A-Z]{3})$/.exec(c);
    const stock = /^stock_(.+)$/.exec(c);
    if (price?.[2]) {
      if (!isCurrency(price[2])) errors.push({ row: 1, column: c, message: 'unknown ISO 4217 currency' });
      else if (!currencies.includes(price[2])) currencies.push(price[2]);
    } else if (stock?.[1]) locationCodes.push(stock[1]);
    else if (!known.has(c)) errors.push({ row: 1, column: c, message: 'unknown column' });
  }
  for (const required of ['handle', 'sku'] as const) {
    if (!cols.includes(required)) errors.push({ row: 1, column: required, message: 'column is required' });
  }
  if (errors.length > 0) return { products: [], errors, totalRows: body.length, currencies, locationCodes };
  const hasChannels = cols.includes('channels');

  const byHandle = new Map<string, ImportProduct>();
  const skus = new Map<string, number>();
  const barcodes = new Map<string, number>();
  body.forEach((cells, i) => {
    const row = i + 2;
    const get = (c: string) => cells[cols.indexOf(c)] ?? '';
    const handle = get('handle').trim();
    if (!HANDLE.test(handle)) {
      errors.push({ row, column: 'handle', message: 'must be lowercase letters, digits and single hyphens' });
      return;
    }
    let p = byHandle.get(handle);
    if (!p) {
      const status = get('status').trim() || 'draft';
      if (!['draft', 'active', 'archived'].includes(status))
        errors.push({ row, column: 'status', message: 'must be draft, active or archived' });
      const title = get('title').trim();
      if (!title) errors.push({ row, column: 'title', message: 'is required on the first row of a product' });
      p = {
        rows: [],
        handle,
        title,
        description: get('description'),
        status: status as ImportProduct['status'],
        tags: list(get('tags')),
        categoryHandles: list(get('categories')),
        collectionHandles: list(get('collections')),
        channelIds: hasChannels ? list(get('channels')) : null,
        options: [],
        variants: [],
      };
      byHandle.set(handle, p);
    } else if (get('title').trim() && get('title').trim() !== p.title) {
      errors.push({ row, column: 'title', message: `contradicts the first row of ${handle}` });
    }
    p.rows.push(row);
    const sku = get('sku').trim();
    if (!sku || /\s/.test(sku)) errors.push({ row, column: 'sku', message: 'is required, without spaces' });
    else if (skus.has(sku)) errors.push({ row, column: 'sku', message: `repeats row ${skus.get(sku)}` });
    else skus.set(sku, row);
    const options: Record<string, string> = {};
    for (const n of [1, 2, 3]) {
      const name = get(`option${n}_name`).trim();
      const value = get(`option${n}_value`).trim();
      if (!name && !value) continue;
      if (!name || !value) {
        errors.push({ row, column: `option${n}_${name ? 'value' : 'name'}`, message: 'needs both a name and a value' });
        continue;
      }
      options[name] = value;
      let def = p.options.find((o) => o.name === name);
      if (!def) {
        def = { name, values: [] };
        p.options.push(def);
      }
      if (!def.values.includes(value)) def.values.push(value);
    }
    const prices: ImportVariant['prices'] = [];
    for (const cur of currencies) {
      const amount = cols.includes(`price_${cur}`)
        ? integer(get(`price_${cur}`), row, `price_${cur}`, errors, 0, MAX_AMOUNT)
        : null;
      const compare = cols.includes(`compare_at_${cur}`)
        ? integer(get(`compare_at_${cur}`), row, `compare_at_${cur}`, errors, 0, MAX_AMOUNT)
        : null;
      if (amount === null) {
        if (compare !== null)
          errors.push({ row, column: `compare_at_${cur}`, message: 'needs a price in the same currency' });
        continue;
      }
      if (compare !== null && compare <= amount)
        errors.push({ row, column: `compare_at_${cur}`, message: 'must be greater than the price' });
      prices.push({ currency: cur, amount, compareAtAmount: compare });
    }
    const stock: Record<string, number> = {};
    for (const code of locationCodes) {
      const n = integer(get(`stock_${code}`), row, `stock_${code}`, errors);
      if (n !== null) stock[code] = n;
    }
    const barcode = get('barcode').trim() || null;
    if (barcode && barcodes.has(barcode))
      errors.push({ row, column: 'barcode', message: `repeats row ${barcodes.get(barcode)}` });
    if (barcode) barcodes.set(barcode, row);
    p.variants.push({
      row,
      sku,
      barcode,
      weightGrams: integer(get('weight_grams'), row, 'weight_grams', errors),
      options,
      prices,
      stock,
    });
  });
  // Within a product: every variant names every option, and no two share a combination.
  for (const p of byHandle.values()) {
    const combos = new Map<string, number>();
    for (const v of p.variants) {
      for (const o of p.options) {
        if (v.options[o.name] === undefined)
          errors.push({ row: v.row, column: 'option', message: `has no value for ${o.name}` });
      }
      const key = JSON.stringify(p.options.map((o) => v.options[o.name] ?? null));
      if (combos.has(key))
        errors.push({ row: v.row, column: 'option', message: `same options as row ${combos.get(key)}` });
      combos.set(key, v.row);
    }
    if (p.options.length === 0 && p.variants.length > 1) {
      errors.push({
        row: p.variants[1]?.row ?? 0,
        column: 'option1_name',
        message: 'several variants of one product need options',
      });
    }
    if (p.variants.length > 100)
      errors.push({ row: p.variants[100]?.row ?? 0, column: 'sku', message: 'a product has at most 100 variants' });
  }
  return { products: [...byHandle.values()], errors, totalRows: body.length, currencies, locationCodes };
}
