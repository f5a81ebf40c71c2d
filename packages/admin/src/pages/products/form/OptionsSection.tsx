import { Section } from '../../../components/DetailPage';
import { Button, Field, Input } from '../../../components/ui';
import { generateVariants, rowKey, splitValues } from '../form-model';
import type { SectionProps } from './types';

const MAX_OPTIONS = 3;

/**
 * Options (Size, Colour…) with their values. "Create variants" makes one variant per combination, keeping the
 * variants that already exist. On a saved product the server refuses options that existing variants no longer fit
 * (change or remove those variants in the same save).
 */
export function OptionsSection({ form, update, error, readOnly }: SectionProps) {
  const combos = form.options.reduce((n, o) => n * Math.max(splitValues(o.values).length, 0), 1);
  return (
    <Section
      title="Options"
      actions={
        readOnly ? undefined : (
          <>
            <Button
              size="sm"
              disabled={form.options.length >= MAX_OPTIONS}
              onClick={() =>
                update((f) => ({ ...f, options: [...f.options, { key: rowKey(), name: '', values: '' }] }))
              }
            >
              Add option
            </Button>
            <Button
              size="sm"
              variant="primary"
              disabled={form.options.length === 0 || combos === 0 || combos > 100}
              onClick={() => update((f) => ({ ...f, variants: generateVariants(f) }))}
            >
              Create variants{form.options.length > 0 && combos > 0 ? ` (${combos})` : ''}
            </Button>
          </>
        )
      }
    >
      {form.options.length === 0 ? (
        <p className="text-sm text-gray-700">
          No options: the product has one variant. Add options such as Size or Colour (values separated by commas) to
          sell it in several.
        </p>
      ) : null}
      {error('options') ? <p className="text-sm text-red-700">{error('options')}</p> : null}
      {combos > 100 ? <p className="text-sm text-red-700">At most 100 variants: {combos} combinations.</p> : null}
      {form.options.map((o, i) => (
        <div key={o.key} className="grid items-end gap-3 sm:grid-cols-[12rem_1fr_auto]">
          <Field label={`Option ${i + 1} name`}>
            <Input
              value={o.name}
              placeholder="Size"
              onChange={(e) =>
                update((f) => ({
                  ...f,
                  options: f.options.map((x) => (x.key === o.key ? { ...x, name: e.target.value } : x)),
                }))
              }
            />
          </Field>
          <Field label={`Option ${i + 1} values`}>
            <Input
              value={o.values}
              placeholder="S, M, L"
              onChange={(e) =>
                update((f) => ({
                  ...f,
                  options: f.options.map((x) => (x.key === o.key ? { ...x, values: e.target.value } : x)),
                }))
              }
            />
          </Field>
          {readOnly ? null : (
            <Button
              variant="ghost"
              aria-label={`Remove option ${o.name || i + 1}`}
              onClick={() => update((f) => ({ ...f, options: f.options.filter((x) => x.key !== o.key) }))}
            >
              Remove
            </Button>
          )}
        </div>
      ))}
    </Section>
  );
}
