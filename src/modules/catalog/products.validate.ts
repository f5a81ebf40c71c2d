import { type FieldError, ValidationError } from '../../platform/errors.js';
import { isCurrency } from '../../platform/money.js';
import type { VariantInputT } from './products.schemas.js';

/**
 * Rules a JSON schema cannot express: variant option values must match the product's options
 * (every option once, only listed values, each combination once), SKUs and barcodes unique within
 * the request, currencies known and listed once per variant, a compare-at price above the price.
 */

export const MAX_VARIANTS = 100;

export interface OptionDef {
  name: string;
  values: readonly string[];
}

export function checkOptions(options: readonly OptionDef[], path = '/body/options'): void {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  options.forEach((o, i) => {
    const key = o.name.trim().toLowerCase();
    if (seen.has(key)) errors.push({ path: `${path}/${i}/name`, message: 'is used by another option' });
    seen.add(key);
  });
  if (errors.length > 0) throw new ValidationError(errors);
}

/** Field errors of one variant's option values against the product's options. */
export function optionErrors(
  options: readonly OptionDef[],
  values: Record<string, string>,
  path: string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const o of options) {
    const v = values[o.name];
    if (v === undefined)
      errors.push({ path: `${path}/${o.name}`, message: 'is required (one value per product option)' });
    else if (!o.values.includes(v)) {
      errors.push({
        path: `${path}/${o.name}`,
        message: `must be one of ${o.values.map((x) => JSON.stringify(x)).join(', ')}`,
      });
    }
  }
  for (const name of Object.keys(values)) {
    if (!options.some((o) => o.name === name))
      errors.push({ path: `${path}/${name}`, message: 'is not an option of this product' });
  }
  return errors;
}

export function priceErrors(prices: VariantInputT['prices'], path: string): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  (prices ?? []).forEach((p, i) => {
    if (!isCurrency(p.currency)) errors.push({ path: `${path}/${i}/currency`, message: 'is not an ISO 4217 currency' });
    if (seen.has(p.currency)) errors.push({ path: `${path}/${i}/currency`, message: 'is listed twice' });
    seen.add(p.currency);
    if (p.compareAtAmount != null && p.compareAtAmount <= p.amount) {
      errors.push({ path: `${path}/${i}/compareAtAmount`, message: 'must be greater than amount' });
    }
  });
  return errors;
}

/** The default title of a variant: its option values, or the product title when it has none. */
export function variantTitle(
  productTitle: string,
  options: readonly OptionDef[],
  values: Record<string, string>,
): string {
  const parts = options.map((o) => values[o.name]).filter((v): v is string => v !== undefined);
  return parts.length > 0 ? parts.join(' / ') : productTitle;
}

/** Checks a whole set of new variants against the options and each other; throws one 400 with every problem. */
export function checkVariants(
  options: readonly OptionDef[],
  variants: readonly VariantInputT[],
  path = '/body/variants',
): void {
  const errors: FieldError[] = [];
  if (variants.length > MAX_VARIANTS) errors.push({ path, message: `at most ${MAX_VARIANTS} variants` });
  if (options.length === 0 && variants.length > 1) {
    errors.push({ path, message: 'a product without options has at most one variant; add options (e.g. Size) first' });
  }
  const skus = new Map<string, number>();
  const barcodes = new Map<string, number>();
  const combos = new Map<string, number>();
  variants.forEach((v, i) => {
    const at = `${path}/${i}`;
    const values = v.options ?? {};
    errors.push(...optionErrors(options, values, `${at}/options`));
    errors.push(...priceErrors(v.prices, `${at}/prices`));
    const sku = v.sku;
    if (skus.has(sku)) errors.push({ path: `${at}/sku`, message: `repeats variant ${skus.get(sku)}` });
    skus.set(sku, i);
    if (v.barcode) {
      if (barcodes.has(v.barcode))
        errors.push({ path: `${at}/barcode`, message: `repeats variant ${barcodes.get(v.barcode)}` });
      barcodes.set(v.barcode, i);
    }
    const combo = JSON.stringify(options.map((o) => values[o.name] ?? null));
    if (options.length > 0 && combos.has(combo)) {
      errors.push({ path: `${at}/options`, message: `same option values as variant ${combos.get(combo)}` });
    }
    combos.set(combo, i);
  });
  if (errors.length > 0) throw new ValidationError(errors);
}

/** `"Summer T-Shirt!"` → `summer-t-shirt`. */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 180)
    .replace(/-+$/g, '');
  return slug || 'product';
}
