import { useCan } from '../../../auth/Can';
import { useCategories, useCollections, useSalesChannels, useShopCurrencies } from '../api';
import type { ProductForm } from '../form-model';
import { GeneralSection } from './GeneralSection';
import { ImagesSection } from './ImagesSection';
import { OptionsSection } from './OptionsSection';
import { OrganisationSection } from './OrganisationSection';
import { VariantsSection } from './VariantsSection';

/** "variants.1.prices.EUR.compareAt" → "Variant 2 compare-at EUR". */
export function fieldLabel(key: string): string {
  const p = key.split('.');
  if (p[0] === 'variants' && p[1] !== undefined) {
    const n = `Variant ${Number(p[1]) + 1}`;
    if (p[2] === 'prices') return `${n} ${p[4] === 'compareAt' ? 'compare-at' : 'price'} ${p[3] ?? ''}`.trim();
    return `${n} ${p[2] ?? ''}`.trim();
  }
  if (p[0] === 'images' && p[1] !== undefined) return `Image ${Number(p[1]) + 1} ${p[2] ?? ''}`;
  return (p[0] ?? key).replace(/Ids$/, 's').replace(/^./, (c) => c.toUpperCase());
}

/** Every field error in one list at the top, so a problem in a long form is never missed. */
function ErrorSummary({ fieldErrors }: { fieldErrors: Record<string, string> }) {
  const entries = Object.entries(fieldErrors);
  if (entries.length === 0) return null;
  return (
    <div className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
      <p className="font-semibold">Please check:</p>
      <ul className="mt-1 list-disc pl-5">
        {entries.map(([path, message]) => (
          <li key={path}>
            {fieldLabel(path.replace(/^\/body\//, ''))}: {message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The whole product form, shared by the new and edit pages. Without `catalog:write` it is shown read-only (the
 * inputs disabled, no add/remove buttons); the server refuses changes anyway.
 */
export function ProductFormView({
  form,
  update,
  fieldErrors,
  isNew,
}: {
  form: ProductForm;
  update: (change: (f: ProductForm) => ProductForm) => void;
  fieldErrors: Record<string, string>;
  isNew: boolean;
}) {
  const readOnly = !useCan('catalog:write');
  const categories = useCategories();
  const collections = useCollections();
  const channels = useSalesChannels();
  const shopCurrencies = useShopCurrencies();
  const error = (key: string) => fieldErrors[`/body/${key}`];
  const section = { form, update, error, readOnly };
  return (
    <fieldset disabled={readOnly} className="min-w-0 space-y-5">
      <legend className="sr-only">{isNew ? 'New product' : form.title}</legend>
      <ErrorSummary fieldErrors={fieldErrors} />
      <GeneralSection {...section} isNew={isNew} />
      <OptionsSection {...section} />
      <VariantsSection {...section} suggestedCurrencies={shopCurrencies} />
      <ImagesSection {...section} />
      <OrganisationSection
        {...section}
        categories={categories.data ?? []}
        collections={collections.data ?? []}
        channels={channels.data ?? []}
      />
    </fieldset>
  );
}
