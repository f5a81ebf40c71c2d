import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Checkbox, Field, FormDialog, Input, Select, Textarea } from '../../../components/ui';
import { formatAmount, parseAmount } from '../../products/money';
import { type Region, regionKeys, type ShippingOption, type ShippingPrice, useLocations } from './api';

type Kind = ShippingPrice['kind'];

interface Draft {
  name: string;
  stockLocationId: string;
  active: boolean;
  kind: Kind;
  amount: string;
  threshold: string;
  /** One band a line: "max grams = price". */
  bands: string;
}

function draftOf(option: ShippingOption | undefined, currency: string): Draft {
  if (!option) {
    return { name: '', stockLocationId: '', active: true, kind: 'flat', amount: '', threshold: '', bands: '' };
  }
  const p = option.price;
  return {
    name: option.name,
    stockLocationId: option.stockLocationId,
    active: option.active,
    kind: p.kind,
    amount: p.amount === undefined ? '' : formatAmount(p.amount, currency),
    threshold: p.threshold === undefined ? '' : formatAmount(p.threshold, currency),
    bands: (p.bands ?? []).map((b) => `${b.maxGrams} = ${formatAmount(b.amount, currency)}`).join('\n'),
  };
}

/** The draft's price, or the field errors that stop it. */
function priceOf(d: Draft, currency: string): { price?: ShippingPrice; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const amount = (text: string, field: string) => {
    const r = parseAmount(text, currency);
    if (!r.ok) errors[`/body/price/${field}`] = r.message;
    return r.ok ? r.minor : 0;
  };
  if (d.kind === 'flat') return { price: { kind: 'flat', amount: amount(d.amount, 'amount') }, errors };
  if (d.kind === 'free_above') {
    const price = { kind: d.kind, amount: amount(d.amount, 'amount'), threshold: amount(d.threshold, 'threshold') };
    return { price, errors };
  }
  const bands = d.bands
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const m = /^(\d{1,9})\s*(?:g)?\s*[=:]\s*(\S+)$/.exec(line);
      if (!m) {
        errors['/body/price/bands'] = 'one band a line: max grams = price, e.g. 1000 = 4.90';
        return { maxGrams: 0, amount: 0 };
      }
      return { maxGrams: Number(m[1]), amount: amount(m[2] ?? '', 'bands') };
    });
  if (bands.length === 0) errors['/body/price/bands'] = 'add at least one band';
  return { price: { kind: 'weight_bands', bands }, errors };
}

/** Create or edit a region's shipping option: flat, free above an amount, or by weight bands. */
export function ShippingOptionDialog({
  region,
  editing,
  onClose,
}: {
  region: Region;
  editing?: ShippingOption;
  onClose: () => void;
}) {
  const currency = region.currency;
  const [draft, setDraft] = useState<Draft>(() => draftOf(editing, currency));
  const [local, setLocal] = useState<Record<string, string>>({});
  const locations = useLocations();
  const save = useApiMutation({
    mutationFn: async (
      body: { name: string; stockLocationId: string; active: boolean; price: ShippingPrice },
      { idempotencyKey },
    ) => {
      const headers = { 'Idempotency-Key': idempotencyKey };
      if (editing) {
        return (
          await api.PATCH('/v1/admin/shipping-options/{id}', { params: { path: { id: editing.id } }, body, headers })
        ).data;
      }
      return (
        await api.POST('/v1/admin/regions/{id}/shipping-options', {
          params: { path: { id: region.id } },
          body,
          headers,
        })
      ).data;
    },
    invalidate: [regionKeys.options(region.id)],
    onSuccess: onClose,
  });
  const error = save.error ? describeError(save.error) : undefined;
  const fe = { ...(error?.fieldErrors ?? {}), ...local };
  const stockLocationId = draft.stockLocationId || (locations.data?.length === 1 ? (locations.data[0]?.id ?? '') : '');
  const submit = () => {
    const { price, errors } = priceOf(draft, currency);
    if (!stockLocationId) errors['/body/stockLocationId'] = 'choose where it ships from';
    setLocal(errors);
    if (Object.keys(errors).length > 0 || !price) return;
    save.mutate({ name: draft.name.trim(), stockLocationId, active: draft.active, price });
  };
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  return (
    <FormDialog
      title={editing ? `Edit ${editing.name}` : `New shipping option in ${region.name}`}
      formId="shipping-option-form"
      submitLabel={editing ? 'Save' : 'Create'}
      pending={save.isPending}
      error={error}
      onClose={onClose}
      onSubmit={submit}
    >
      <Field label="Name" hint="What customers see, e.g. Standard." required fieldErrors={fe} name="name">
        <Input value={draft.name} onChange={(e) => set({ name: e.target.value })} />
      </Field>
      <Field label="Ships from" required fieldErrors={fe} name="stockLocationId">
        <Select
          value={stockLocationId}
          placeholder={locations.isPending ? 'Loading…' : 'Choose a stock location'}
          options={(locations.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
          onChange={(e) => set({ stockLocationId: e.target.value })}
        />
      </Field>
      <Field label="Price" fieldErrors={fe} name="price/kind">
        <Select
          value={draft.kind}
          options={[
            { value: 'flat', label: 'Flat' },
            { value: 'free_above', label: 'Free above an amount' },
            { value: 'weight_bands', label: 'By weight' },
          ]}
          onChange={(e) => set({ kind: e.target.value as Kind })}
        />
      </Field>
      {draft.kind !== 'weight_bands' ? (
        <Field label={`Amount (${currency})`} required fieldErrors={fe} name="price/amount">
          <Input value={draft.amount} inputMode="decimal" onChange={(e) => set({ amount: e.target.value })} />
        </Field>
      ) : null}
      {draft.kind === 'free_above' ? (
        <Field
          label={`Free from (${currency})`}
          hint="Free when the order's subtotal after discounts reaches this amount."
          required
          fieldErrors={fe}
          name="price/threshold"
        >
          <Input value={draft.threshold} inputMode="decimal" onChange={(e) => set({ threshold: e.target.value })} />
        </Field>
      ) : null}
      {draft.kind === 'weight_bands' ? (
        <Field
          label="Weight bands"
          hint={`One a line, lightest first: max grams = price in ${currency}, e.g. 1000 = 4.90. Heavier carts than the last band cannot use this option.`}
          required
          fieldErrors={fe}
          name="price/bands"
        >
          <Textarea
            className="font-mono"
            rows={4}
            value={draft.bands}
            spellCheck={false}
            onChange={(e) => set({ bands: e.target.value })}
          />
        </Field>
      ) : null}
      <label htmlFor="region-active" className="flex items-center gap-2 text-sm text-gray-800">
        <Checkbox id="region-active" checked={draft.active} onChange={(e) => set({ active: e.target.checked })} />
        Offered at checkout
      </label>
    </FormDialog>
  );
}
