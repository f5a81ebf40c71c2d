import {
  type FormErrors,
  type PriceInputT,
  type ProductForm,
  type ProductView,
  pricesOf,
  splitTags,
  splitValues,
  weightOf,
} from './form-model';

/**
 * What saving the form means in API calls. A new product is one `POST /v1/admin/products`. An edit is a sequence,
 * each step sent with the version the previous one returned (If-Match), in an order that keeps every step valid:
 * delete removed variants, patch the product (options first allow new values), update changed variants, add new
 * ones. The first step carries the version the page loaded, so a change made by someone else meanwhile is a 412.
 */

export interface VariantBody {
  title?: string;
  sku: string;
  barcode?: string | null;
  weightGrams?: number | null;
  options?: Record<string, string>;
  prices?: PriceInputT[];
}

export interface CreateBody {
  title: string;
  handle?: string;
  subtitle?: string | null;
  description?: string;
  status?: 'draft' | 'active' | 'archived';
  tags?: string[];
  images?: { url: string; alt?: string | null }[];
  categoryIds?: string[];
  salesChannelIds?: string[];
  options?: { name: string; values: string[] }[];
  variants?: VariantBody[];
}

export type UpdateBody = Partial<Omit<CreateBody, 'variants'>>;

export type Step =
  | { kind: 'deleteVariant'; variantId: string; sku: string }
  | { kind: 'patchProduct'; body: UpdateBody }
  | { kind: 'updateVariant'; variantId: string; index: number; body: Partial<VariantBody>; currencies: string[] }
  | { kind: 'addVariant'; index: number; body: VariantBody; currencies: string[] };

function variantBodies(form: ProductForm, errors: FormErrors) {
  return form.variants.map((row, i) => {
    if (row.sku.trim() === '') errors[`variants.${i}.sku`] = 'is required';
    const prices = pricesOf(row, form.currencies, i, errors);
    const body: VariantBody = {
      sku: row.sku.trim(),
      barcode: row.barcode.trim() === '' ? null : row.barcode.trim(),
      weightGrams: weightOf(row, i, errors),
      prices,
    };
    if (row.title.trim() !== '') body.title = row.title.trim();
    if (form.options.length > 0) body.options = row.options;
    return body;
  });
}

function productFields(form: ProductForm): Omit<CreateBody, 'variants'> {
  const body: Omit<CreateBody, 'variants'> = {
    title: form.title.trim(),
    subtitle: form.subtitle.trim() === '' ? null : form.subtitle.trim(),
    description: form.description,
    status: form.status,
    tags: splitTags(form.tags),
    images: form.images
      .filter((i) => i.url.trim() !== '')
      .map((i) => ({ url: i.url.trim(), alt: i.alt.trim() === '' ? null : i.alt.trim() })),
    categoryIds: form.categoryIds,
    salesChannelIds: form.salesChannelIds,
    options: form.options
      .filter((o) => o.name.trim() !== '')
      .map((o) => ({ name: o.name.trim(), values: splitValues(o.values) })),
  };
  if (form.handle.trim() !== '') body.handle = form.handle.trim();
  return body;
}

export function createPlan(form: ProductForm): { body: CreateBody; errors: FormErrors; currencies: string[][] } {
  const errors: FormErrors = {};
  if (form.title.trim() === '') errors.title = 'is required';
  const variants = variantBodies(form, errors).filter((_, i) => form.variants[i] !== undefined);
  const body: CreateBody = { ...productFields(form), variants };
  return { body, errors, currencies: variants.map((v) => (v.prices ?? []).map((p) => p.currency)) };
}

const json = (x: unknown) => JSON.stringify(x);

function variantChanges(before: ProductView['variants'][number], body: VariantBody): Partial<VariantBody> {
  const changes: Partial<VariantBody> = {};
  if (body.sku !== before.sku) changes.sku = body.sku;
  if ((body.barcode ?? null) !== before.barcode) changes.barcode = body.barcode ?? null;
  if ((body.weightGrams ?? null) !== before.weightGrams) changes.weightGrams = body.weightGrams ?? null;
  if (body.title !== undefined && body.title !== before.title) changes.title = body.title;
  if (body.options && json(body.options) !== json(before.options)) changes.options = body.options;
  const beforePrices = before.prices
    .map((p) => ({
      currency: p.price.currency,
      amount: p.price.amount,
      compareAtAmount: p.compareAtPrice?.amount ?? null,
    }))
    .sort((a, b) => a.currency.localeCompare(b.currency));
  const afterPrices = [...(body.prices ?? [])]
    .map((p) => ({ currency: p.currency, amount: p.amount, compareAtAmount: p.compareAtAmount ?? null }))
    .sort((a, b) => a.currency.localeCompare(b.currency));
  if (json(beforePrices) !== json(afterPrices)) changes.prices = body.prices ?? [];
  return changes;
}

/** Only the product fields that differ from what was loaded (a PATCH of nothing is not sent). */
function productChanges(loaded: ProductView, fields: Omit<CreateBody, 'variants'>): UpdateBody {
  const changes: UpdateBody = {};
  const was: Record<string, unknown> = {
    title: loaded.title,
    handle: loaded.handle,
    subtitle: loaded.subtitle,
    description: loaded.description,
    status: loaded.status,
    tags: loaded.tags,
    images: loaded.images.map((i) => ({ url: i.url, alt: i.alt })),
    categoryIds: [...loaded.categoryIds].sort(),
    salesChannelIds: [...loaded.salesChannelIds].sort(),
    options: loaded.options.map((o) => ({ name: o.name, values: o.values })),
  };
  const now: Record<string, unknown> = {
    ...fields,
    categoryIds: [...(fields.categoryIds ?? [])].sort(),
    salesChannelIds: [...(fields.salesChannelIds ?? [])].sort(),
  };
  for (const key of Object.keys(was)) {
    if (now[key] !== undefined && json(now[key]) !== json(was[key])) {
      (changes as Record<string, unknown>)[key] = (fields as Record<string, unknown>)[key];
    }
  }
  return changes;
}

export function updatePlan(loaded: ProductView, form: ProductForm): { steps: Step[]; errors: FormErrors } {
  const errors: FormErrors = {};
  if (form.title.trim() === '') errors.title = 'is required';
  const bodies = variantBodies(form, errors);
  const kept = new Set(form.variants.flatMap((v) => (v.id ? [v.id] : [])));
  const steps: Step[] = loaded.variants
    .filter((v) => !kept.has(v.id))
    .map((v) => ({ kind: 'deleteVariant' as const, variantId: v.id, sku: v.sku }));
  const patch = productChanges(loaded, productFields(form));
  if (Object.keys(patch).length > 0) steps.push({ kind: 'patchProduct', body: patch });
  const adds: Step[] = [];
  form.variants.forEach((row, index) => {
    const body = bodies[index];
    if (!body) return;
    const currencies = (body.prices ?? []).map((p) => p.currency);
    const before = row.id ? loaded.variants.find((v) => v.id === row.id) : undefined;
    if (!before) {
      adds.push({ kind: 'addVariant', index, body, currencies });
      return;
    }
    const changes = variantChanges(before, body);
    if (Object.keys(changes).length > 0) {
      steps.push({ kind: 'updateVariant', variantId: before.id, index, body: changes, currencies });
    }
  });
  return { steps: [...steps, ...adds], errors };
}
