import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Checkbox, Field, FormDialog, Input } from '../../../components/ui';
import { currencyCode } from '../../products/money';
import { parseCountries, type Region, regionKeys } from './api';

interface Draft {
  name: string;
  currency: string;
  countries: string;
  taxInclusive: boolean;
}

/** Create or edit a region: name, currency, countries (each in at most one region), prices with tax or not. */
export function RegionDialog({ editing, onClose }: { editing?: Region; onClose: () => void }) {
  const [draft, setDraft] = useState<Draft>(
    editing
      ? {
          name: editing.name,
          currency: editing.currency,
          countries: editing.countries.join(', '),
          taxInclusive: editing.taxInclusive,
        }
      : { name: '', currency: '', countries: '', taxInclusive: false },
  );
  const [local, setLocal] = useState<Record<string, string>>({});
  const save = useApiMutation({
    mutationFn: async (body: { name: string; currency: string; countries: string[]; taxInclusive: boolean }, ctx) => {
      const headers = { 'Idempotency-Key': ctx.idempotencyKey };
      if (editing) {
        return (await api.PATCH('/v1/admin/regions/{id}', { params: { path: { id: editing.id } }, body, headers }))
          .data;
      }
      return (await api.POST('/v1/admin/regions', { body, headers })).data;
    },
    invalidate: [regionKeys.regions],
    onSuccess: onClose,
  });
  const error = save.error ? describeError(save.error) : undefined;
  const fe = { ...(error?.fieldErrors ?? {}), ...local };
  const submit = () => {
    const currency = currencyCode(draft.currency);
    const countries = parseCountries(draft.countries);
    const errors: Record<string, string> = {};
    if (!currency) errors['/body/currency'] = 'must be a three-letter code, e.g. EUR';
    if (!countries) errors['/body/countries'] = 'must be two-letter codes, e.g. DE, AT';
    setLocal(errors);
    if (!currency || !countries) return;
    save.mutate({ name: draft.name.trim(), currency, countries, taxInclusive: draft.taxInclusive });
  };
  return (
    <FormDialog
      title={editing ? `Edit ${editing.name}` : 'New region'}
      formId="region-form"
      submitLabel={editing ? 'Save' : 'Create'}
      pending={save.isPending}
      error={error}
      onClose={onClose}
      onSubmit={submit}
    >
      <Field label="Name" required fieldErrors={fe} name="name">
        <Input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
      </Field>
      <Field label="Currency" hint="ISO 4217 code, e.g. EUR." required fieldErrors={fe} name="currency">
        <Input
          value={draft.currency}
          spellCheck={false}
          autoCapitalize="characters"
          maxLength={3}
          onChange={(e) => setDraft({ ...draft, currency: e.target.value })}
        />
      </Field>
      <Field
        label="Countries"
        hint="Two-letter codes separated by commas, e.g. DE, AT. A country belongs to at most one region."
        fieldErrors={fe}
        name="countries"
      >
        <Input
          value={draft.countries}
          spellCheck={false}
          autoCapitalize="characters"
          onChange={(e) => setDraft({ ...draft, countries: e.target.value })}
        />
      </Field>
      <label htmlFor="region-tax-inclusive" className="flex items-center gap-2 text-sm text-gray-800">
        <Checkbox
          id="region-tax-inclusive"
          checked={draft.taxInclusive}
          onChange={(e) => setDraft({ ...draft, taxInclusive: e.target.checked })}
        />
        Prices include tax
      </label>
    </FormDialog>
  );
}
