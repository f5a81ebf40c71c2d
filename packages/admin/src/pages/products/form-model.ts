import type { paths } from '@backroom/client';
import { formatAmount, parseAmount } from './money';

/**
 * The product form's state and its translation to and from the API. Prices are kept as typed text per currency
 * column so a half-typed amount is never lost; they become minor units only when the form is sent.
 */

export type ProductView = paths['/v1/admin/products/{id}']['get']['responses'][200]['content']['application/json'];

export type ProductStatus = 'draft' | 'active' | 'archived';

export interface OptionRow {
  key: string;
  name: string;
  /** Values as typed, comma-separated ("S, M, L"). */
  values: string;
}

export interface PriceCell {
  amount: string;
  compareAt: string;
}

export interface VariantRow {
  key: string;
  /** Set for a variant that exists on the server. */
  id?: string;
  title: string;
  sku: string;
  barcode: string;
  weight: string;
  options: Record<string, string>;
  prices: Record<string, PriceCell>;
}

export interface ImageRow {
  key: string;
  url: string;
  alt: string;
}

export interface ProductForm {
  title: string;
  handle: string;
  subtitle: string;
  description: string;
  status: ProductStatus;
  tags: string;
  options: OptionRow[];
  variants: VariantRow[];
  /** The price columns shown, in order. */
  currencies: string[];
  images: ImageRow[];
  categoryIds: string[];
  collectionIds: string[];
  salesChannelIds: string[];
}

let counter = 0;
/** A key for React lists of rows that have no id yet. */
export const rowKey = () => `row${++counter}`;

export function splitValues(text: string): string[] {
  const seen = new Set<string>();
  for (const v of text.split(',')) {
    const t = v.trim();
    if (t !== '') seen.add(t);
  }
  return [...seen];
}

export const splitTags = splitValues;

export function emptyForm(salesChannelIds: string[] = []): ProductForm {
  return {
    title: '',
    handle: '',
    subtitle: '',
    description: '',
    status: 'draft',
    tags: '',
    options: [],
    variants: [emptyVariant()],
    currencies: [],
    images: [],
    categoryIds: [],
    collectionIds: [],
    salesChannelIds,
  };
}

export function emptyVariant(options: Record<string, string> = {}): VariantRow {
  return { key: rowKey(), title: '', sku: '', barcode: '', weight: '', options, prices: {} };
}

export function formOf(p: ProductView): ProductForm {
  const currencies = new Set<string>();
  for (const v of p.variants) for (const pr of v.prices) currencies.add(pr.price.currency);
  return {
    title: p.title,
    handle: p.handle,
    subtitle: p.subtitle ?? '',
    description: p.description,
    status: p.status as ProductStatus,
    tags: p.tags.join(', '),
    options: p.options.map((o) => ({ key: o.id, name: o.name, values: o.values.join(', ') })),
    variants: p.variants.map((v) => ({
      key: v.id,
      id: v.id,
      title: v.title,
      sku: v.sku,
      barcode: v.barcode ?? '',
      weight: v.weightGrams === null ? '' : String(v.weightGrams),
      options: { ...v.options },
      prices: Object.fromEntries(
        v.prices.map((pr) => [
          pr.price.currency,
          {
            amount: formatAmount(pr.price.amount, pr.price.currency),
            compareAt: pr.compareAtPrice ? formatAmount(pr.compareAtPrice.amount, pr.compareAtPrice.currency) : '',
          },
        ]),
      ),
    })),
    currencies: [...currencies].sort(),
    // Keys from positions, not rowKey(): the same product must give the same form (dirty tracking compares JSON).
    images: p.images.map((i, n) => ({ key: `image${n}`, url: i.url, alt: i.alt ?? '' })),
    categoryIds: [...p.categoryIds],
    collectionIds: [...p.collectionIds],
    salesChannelIds: [...p.salesChannelIds],
  };
}

/** Every combination of the options' values, in option order ("S / Red", "S / Blue", "M / Red"…). */
export function combinations(options: readonly { name: string; values: string[] }[]): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const o of options) {
    if (o.values.length === 0) return [];
    out = out.flatMap((combo) => o.values.map((v) => ({ ...combo, [o.name]: v })));
  }
  return options.length === 0 ? [] : out;
}

const skuPart = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toUpperCase();

/**
 * The variants for every option combination: rows that already have a combination are kept (with their id, SKU and
 * prices); missing ones are added with a suggested SKU and the prices of the first row, so a price typed once is
 * copied. Rows whose combination no longer exists are dropped (the save deletes them).
 */
export function generateVariants(form: ProductForm): VariantRow[] {
  const options = form.options.map((o) => ({ name: o.name.trim(), values: splitValues(o.values) }));
  const combos = combinations(options.filter((o) => o.name !== ''));
  const same = (a: Record<string, string>, b: Record<string, string>) => options.every((o) => a[o.name] === b[o.name]);
  const base = skuPart(form.handle || form.title) || 'SKU';
  const template = form.variants[0]?.prices ?? {};
  return combos.map((combo) => {
    const existing = form.variants.find((v) => same(v.options, combo));
    if (existing) return { ...existing, options: combo };
    const suffix = options.map((o) => skuPart(combo[o.name] ?? '')).join('-');
    return {
      ...emptyVariant(combo),
      sku: `${base}-${suffix}`,
      prices: Object.fromEntries(Object.entries(template).map(([c, cell]) => [c, { ...cell }])),
    };
  });
}

/** Field errors found before sending, keyed like the server's paths mapped to the form (see errorKey). */
export type FormErrors = Record<string, string>;

export interface PriceInputT {
  currency: string;
  amount: number;
  compareAtAmount?: number | null;
}

/** A variant row's prices for the API; problems are added to `errors` under `variants.<i>.prices.<CUR>.*`. */
export function pricesOf(row: VariantRow, currencies: readonly string[], i: number, errors: FormErrors) {
  const prices: PriceInputT[] = [];
  for (const currency of currencies) {
    const cell = row.prices[currency];
    if (!cell || (cell.amount.trim() === '' && cell.compareAt.trim() === '')) continue;
    const at = `variants.${i}.prices.${currency}`;
    if (cell.amount.trim() === '') {
      errors[`${at}.amount`] = 'is required when a compare-at price is set';
      continue;
    }
    const amount = parseAmount(cell.amount, currency);
    if (!amount.ok) errors[`${at}.amount`] = amount.message;
    let compareAtAmount: number | null = null;
    if (cell.compareAt.trim() !== '') {
      const c = parseAmount(cell.compareAt, currency);
      if (!c.ok) errors[`${at}.compareAt`] = c.message;
      else compareAtAmount = c.minor;
    }
    if (amount.ok) prices.push({ currency, amount: amount.minor, compareAtAmount });
  }
  return prices;
}

export function weightOf(row: VariantRow, i: number, errors: FormErrors): number | null {
  const t = row.weight.trim();
  if (t === '') return null;
  if (!/^\d{1,8}$/.test(t)) {
    errors[`variants.${i}.weight`] = 'must be whole grams';
    return null;
  }
  return Number(t);
}

/**
 * Maps a server field error path (a JSON pointer into the body we sent) to the form's key. `variantIndex` says
 * which form row a single-variant call was about; `priceCurrencies` lists the currencies in the order they were sent.
 */
export function errorKey(path: string, ctx: { variantIndex?: number; priceCurrencies?: string[][] } = {}): string {
  const parts = path.replace(/^\/body\/?/, '').split('/');
  let rest = parts;
  let prefix = '';
  let vi = ctx.variantIndex;
  if (parts[0] === 'variants' && parts[1] !== undefined && /^\d+$/.test(parts[1])) {
    vi = Number(parts[1]);
    rest = parts.slice(2);
  }
  if (vi !== undefined && (ctx.variantIndex !== undefined || parts[0] === 'variants')) {
    prefix = `variants.${vi}.`;
    if (rest[0] === 'prices' && rest[1] !== undefined && /^\d+$/.test(rest[1])) {
      const currency = ctx.priceCurrencies?.[vi]?.[Number(rest[1])];
      const field = rest[2] === 'compareAtAmount' ? 'compareAt' : 'amount';
      return currency ? `${prefix}prices.${currency}.${field}` : `${prefix}prices`;
    }
    if (rest[0] === 'weightGrams') return `${prefix}weight`;
    if (rest[0] === 'options') return `${prefix}options`;
    return `${prefix}${rest[0] ?? 'sku'}`;
  }
  if (parts[0] === 'images' && parts[1] !== undefined) return `images.${parts[1]}.${parts[2] ?? 'url'}`;
  if (parts[0] === 'options') return 'options';
  return parts[0] || 'form';
}
