import { Section } from '../../../components/DetailPage';
import { Checkbox } from '../../../components/ui';
import { depthOf, pathLabel } from '../../categories/tree';
import type { Category, Collection, SalesChannel } from '../api';
import type { ProductForm } from '../form-model';
import type { SectionProps } from './types';

type ListKey = 'categoryIds' | 'collectionIds' | 'salesChannelIds';

function toggle(form: ProductForm, key: ListKey, id: string, on: boolean): ProductForm {
  const ids = form[key].filter((x) => x !== id);
  return { ...form, [key]: on ? [...ids, id] : ids };
}

function CheckList({
  legend,
  items,
  form,
  update,
  listKey,
  error,
  empty,
}: Pick<SectionProps, 'form' | 'update'> & {
  legend: string;
  items: { id: string; label: string; depth?: number; title?: string }[];
  listKey: ListKey;
  error: string | undefined;
  empty: string;
}) {
  return (
    <fieldset className="min-w-0">
      <legend className="text-sm font-semibold text-gray-900">{legend}</legend>
      {items.length === 0 ? <p className="mt-1 text-sm text-gray-700">{empty}</p> : null}
      <ul className="mt-2 max-h-64 space-y-1 overflow-y-auto">
        {items.map((item) => (
          <li
            key={item.id}
            className={item.depth ? ['', 'pl-4', 'pl-8', 'pl-12', 'pl-16'][Math.min(item.depth, 4)] : ''}
          >
            <label
              htmlFor={`${listKey}-${item.id}`}
              className="inline-flex items-center gap-2 text-sm text-gray-900"
              title={item.title}
            >
              <Checkbox
                id={`${listKey}-${item.id}`}
                checked={form[listKey].includes(item.id)}
                onChange={(e) => update((f) => toggle(f, listKey, item.id, e.target.checked))}
              />
              <span className="break-words">{item.label}</span>
            </label>
          </li>
        ))}
      </ul>
      {error ? <p className="mt-1 text-sm text-red-700">{error}</p> : null}
    </fieldset>
  );
}

/** Where the product is sold (sales channels) and how it is found (categories, collections). */
export function OrganisationSection(
  props: SectionProps & { categories: Category[]; collections: Collection[]; channels: SalesChannel[] },
) {
  const { categories, collections, channels, error } = props;
  return (
    <Section title="Sales channels and organisation">
      <div className="grid gap-5 md:grid-cols-3">
        <CheckList
          {...props}
          legend="Sales channels"
          listKey="salesChannelIds"
          error={error('salesChannelIds')}
          empty="No sales channels."
          items={channels.map((c) => ({
            id: c.id,
            label: c.isDefault && !/default/i.test(c.name) ? `${c.name} (default)` : c.name,
          }))}
        />
        <CheckList
          {...props}
          legend="Categories"
          listKey="categoryIds"
          error={error('categoryIds')}
          empty="No categories yet."
          items={categories.map((c) => ({
            id: c.id,
            label: c.name,
            depth: depthOf(c),
            title: pathLabel(categories, c),
          }))}
        />
        <CheckList
          {...props}
          legend="Collections"
          listKey="collectionIds"
          error={error('collectionIds')}
          empty="No collections yet."
          items={collections.map((c) => ({ id: c.id, label: c.title }))}
        />
      </div>
    </Section>
  );
}
