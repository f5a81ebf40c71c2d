import { BackroomError } from '@backroom/client';
import { api } from '../../api/client';
import type { Collection } from './api';
import { errorKey, type FormErrors, type ProductForm, type ProductView } from './form-model';
import { createPlan, type Step, updatePlan } from './save-plan';

/**
 * Sends a product form: one call for a new product, the ordered steps of save-plan.ts for an edit, then the
 * collection memberships (a collection owns its ordered product list, so joining one is a change of the collection).
 * Errors come back as a BackroomError whose field errors are keyed by form field (`/body/variants.0.sku`), so the
 * form shows each next to its input.
 */

/** Client-side problems (an amount that is not a number…) reported like the server's 400. */
function formError(errors: FormErrors): BackroomError {
  return new BackroomError({
    status: 400,
    code: 'VALIDATION_FAILED',
    title: 'Check the highlighted fields',
    detail: `${Object.keys(errors).length} field(s) need attention.`,
    errors: Object.entries(errors).map(([key, message]) => ({ path: `/body/${key}`, message })),
  });
}

/** The server's error with its field paths turned into form keys. */
function remapped(err: unknown, ctx: Parameters<typeof errorKey>[1]): unknown {
  if (!(err instanceof BackroomError) || err.errors.length === 0) return err;
  return new BackroomError({
    status: err.status,
    code: err.code,
    title: err.title,
    detail: err.detail,
    type: err.type,
    requestId: err.requestId,
    errors: err.errors.map((e) => ({ path: `/body/${errorKey(e.path, ctx)}`, message: e.message })),
    body: err.body,
    response: err.response,
    cause: err,
  });
}

const ifMatch = (version: number) => ({ 'if-match': `"${version}"` });
const keyed = (key: string) => ({ 'Idempotency-Key': key });

async function runStep(productId: string, version: number, step: Step, key: string): Promise<ProductView> {
  const headers = keyed(key);
  switch (step.kind) {
    case 'deleteVariant':
      return (
        await api.DELETE('/v1/admin/products/{id}/variants/{variantId}', {
          params: { path: { id: productId, variantId: step.variantId }, header: ifMatch(version) },
          headers,
        })
      ).data;
    case 'patchProduct':
      return (
        await api.PATCH('/v1/admin/products/{id}', {
          params: { path: { id: productId }, header: ifMatch(version) },
          body: step.body,
          headers,
        })
      ).data;
    case 'updateVariant':
      return (
        await api.PATCH('/v1/admin/products/{id}/variants/{variantId}', {
          params: { path: { id: productId, variantId: step.variantId }, header: ifMatch(version) },
          body: step.body,
          headers,
        })
      ).data;
    case 'addVariant':
      return (
        await api.POST('/v1/admin/products/{id}/variants', {
          params: { path: { id: productId }, header: ifMatch(version) },
          body: step.body,
          headers,
        })
      ).data;
  }
}

const stepId = (s: Step) =>
  s.kind === 'patchProduct' ? s.kind : s.kind === 'addVariant' ? `${s.kind}.${s.body.sku}` : `${s.kind}.${s.variantId}`;

/**
 * Joins and leaves collections so that the product is in exactly `wanted`. Each changed collection gets its list
 * with the product appended (or removed), in one PATCH each.
 */
export async function saveCollections(
  productId: string,
  current: readonly string[],
  wanted: readonly string[],
  collections: readonly Collection[],
  key: string,
): Promise<void> {
  const changes = collections.filter((c) => current.includes(c.id) !== wanted.includes(c.id));
  for (const c of changes) {
    const productIds = wanted.includes(c.id)
      ? [...c.productIds.filter((id) => id !== productId), productId]
      : c.productIds.filter((id) => id !== productId);
    await api.PATCH('/v1/admin/collections/{id}', {
      params: { path: { id: c.id } },
      body: { productIds },
      headers: keyed(`${key}.collection.${c.id}`),
    });
  }
}

export async function createProduct(form: ProductForm, collections: readonly Collection[], key: string) {
  const { body, errors, currencies } = createPlan(form);
  if (Object.keys(errors).length > 0) throw formError(errors);
  let product: ProductView;
  try {
    product = (await api.POST('/v1/admin/products', { body, headers: keyed(key) })).data;
  } catch (err) {
    throw remapped(err, { priceCurrencies: currencies });
  }
  await saveCollections(product.id, [], form.collectionIds, collections, key);
  return product;
}

export interface UpdateResult {
  product: ProductView;
  /** Steps that went through before a failure (the page re-reads the product when some did). */
  done: number;
}

/**
 * Runs an edit. The first step carries the version the page loaded; each later one the version the previous step
 * answered. A failure stops the sequence: what went before is saved (the server validated it), the error names the
 * field of the step that failed.
 */
export async function updateProduct(
  loaded: ProductView,
  form: ProductForm,
  collections: readonly Collection[],
  key: string,
  onProgress: (done: number) => void,
): Promise<ProductView> {
  const { steps, errors } = updatePlan(loaded, form);
  if (Object.keys(errors).length > 0) throw formError(errors);
  let product = loaded;
  let done = 0;
  for (const step of steps) {
    try {
      product = await runStep(loaded.id, product.version, step, `${key}.${stepId(step)}`);
    } catch (err) {
      onProgress(done);
      const ctx =
        step.kind === 'updateVariant' || step.kind === 'addVariant'
          ? { variantIndex: step.index, priceCurrencies: Object.assign([], { [step.index]: step.currencies }) }
          : {};
      throw remapped(err, ctx);
    }
    done++;
  }
  await saveCollections(loaded.id, loaded.collectionIds, form.collectionIds, collections, key);
  onProgress(done);
  return product;
}
