import { Section } from '../../../components/DetailPage';
import { Field, Input, Select, Textarea } from '../../../components/ui';
import type { ProductStatus } from '../form-model';
import type { SectionProps } from './types';

export const statusOptions: { value: ProductStatus; label: string }[] = [
  { value: 'draft', label: 'Draft (hidden from storefronts)' },
  { value: 'active', label: 'Active (sold in its sales channels)' },
  { value: 'archived', label: 'Archived (hidden everywhere)' },
];

/** Title, handle, subtitle, description, status and tags. */
export function GeneralSection({ form, update, error, isNew }: SectionProps & { isNew: boolean }) {
  return (
    <Section title="Product">
      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Title" required error={error('title')}>
          <Input value={form.title} onChange={(e) => update((f) => ({ ...f, title: e.target.value }))} />
        </Field>
        <Field
          label="Handle"
          hint={isNew ? 'The product’s address in the storefront; left empty, one is made from the title.' : undefined}
          error={error('handle')}
        >
          <Input
            value={form.handle}
            autoCapitalize="none"
            spellCheck={false}
            onChange={(e) => update((f) => ({ ...f, handle: e.target.value }))}
          />
        </Field>
        <Field label="Subtitle" error={error('subtitle')}>
          <Input value={form.subtitle} onChange={(e) => update((f) => ({ ...f, subtitle: e.target.value }))} />
        </Field>
        <Field label="Status" error={error('status')}>
          <Select
            value={form.status}
            options={statusOptions}
            onChange={(e) => update((f) => ({ ...f, status: e.target.value as ProductStatus }))}
          />
        </Field>
      </div>
      <Field label="Description" error={error('description')}>
        <Textarea
          rows={5}
          value={form.description}
          onChange={(e) => update((f) => ({ ...f, description: e.target.value }))}
        />
      </Field>
      <Field label="Tags" hint="Separated by commas." error={error('tags')}>
        <Input value={form.tags} onChange={(e) => update((f) => ({ ...f, tags: e.target.value }))} />
      </Field>
    </Section>
  );
}
