import type { paths } from '@backroom/client';
import { useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Field, FormDialog, Input, Select } from '../../components/ui';
import { CheckboxLine } from '../orders/actions/CheckboxLine';
import { useCategories, useShopCurrencies } from '../products/api';
import { formatAmount, parseAmount } from '../products/money';

export type Promotion =
  paths['/v1/admin/promotions']['get']['responses'][200]['content']['application/json']['data'][number];
type Body = NonNullable<paths['/v1/admin/promotions']['post']['requestBody']>['content']['application/json'];

export const promotionKeys = { all: ['promotions'] as const };

interface Draft {
  name: string;
  automatic: boolean;
  code: string;
  kind: 'percentage' | 'fixed';
  value: string;
  currency: string;
  target: 'order' | 'products' | 'categories';
  productIds: string;
  categoryIds: string[];
  minSubtotal: string;
  startsAt: string;
  endsAt: string;
  usageLimit: string;
  perCustomerLimit: string;
  combinable: boolean;
}

const empty: Draft = {
  name: '',
  automatic: false,
  code: '',
  kind: 'percentage',
  value: '',
  currency: '',
  target: 'order',
  productIds: '',
  categoryIds: [],
  minSubtotal: '',
  startsAt: '',
  endsAt: '',
  usageLimit: '',
  perCustomerLimit: '',
  combinable: false,
};

/** An ISO time as a datetime-local input's value (local time, minutes). */
function localInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromPromotion(p: Promotion): Draft {
  return {
    name: p.name,
    automatic: p.code === null,
    code: p.code ?? '',
    kind: p.kind,
    value:
      p.kind === 'percentage'
        ? String(p.value / 100)
        : p.currency
          ? formatAmount(p.value, p.currency)
          : String(p.value),
    currency: p.currency ?? '',
    target: p.target,
    productIds: p.target === 'products' ? p.targetIds.join(', ') : '',
    categoryIds: p.target === 'categories' ? p.targetIds : [],
    minSubtotal: p.minSubtotal !== null && p.currency ? formatAmount(p.minSubtotal, p.currency) : '',
    startsAt: localInput(p.startsAt),
    endsAt: localInput(p.endsAt),
    usageLimit: p.usageLimit === null ? '' : String(p.usageLimit),
    perCustomerLimit: p.perCustomerLimit === null ? '' : String(p.perCustomerLimit),
    combinable: p.combinable,
  };
}

/** The form's draft as the API's body, or the field errors that keep it from being sent. */
function toBody(d: Draft): { body: Body } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  let value = 0;
  if (d.kind === 'percentage') {
    const pct = Number(d.value.replace(',', '.'));
    if (!d.value.trim() || !Number.isFinite(pct) || pct <= 0 || pct > 100) errors['/body/value'] = 'Enter 0.01–100 %';
    else value = Math.round(pct * 100);
  } else if (!d.currency) {
    errors['/body/currency'] = 'A fixed discount needs a currency';
  } else {
    const parsed = parseAmount(d.value, d.currency);
    if (parsed.ok && parsed.minor > 0) value = parsed.minor;
    else errors['/body/value'] = parsed.ok ? 'Enter an amount above zero' : parsed.message;
  }
  let minSubtotal: number | null = null;
  if (d.minSubtotal.trim()) {
    if (!d.currency) errors['/body/currency'] = 'A minimum subtotal needs a currency';
    else {
      const parsed = parseAmount(d.minSubtotal, d.currency);
      if (parsed.ok && parsed.minor > 0) minSubtotal = parsed.minor;
      else errors['/body/minSubtotal'] = parsed.ok ? 'Enter an amount above zero' : parsed.message;
    }
  }
  const int = (text: string, key: string) => {
    if (!text.trim()) return null;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) {
      errors[key] = 'Enter a whole number from 1';
      return null;
    }
    return n;
  };
  const targetIds =
    d.target === 'products'
      ? [
          ...new Set(
            d.productIds
              .split(/[\s,]+/)
              .map((s) => s.trim())
              .filter(Boolean),
          ),
        ]
      : d.target === 'categories'
        ? d.categoryIds
        : [];
  if (d.target !== 'order' && targetIds.length === 0) errors['/body/targetIds'] = 'Choose at least one';
  const body: Body = {
    name: d.name.trim(),
    kind: d.kind,
    value,
    code: d.automatic ? null : d.code.trim(),
    currency: d.currency || null,
    target: d.target,
    targetIds,
    minSubtotal,
    startsAt: d.startsAt ? new Date(d.startsAt).toISOString() : null,
    endsAt: d.endsAt ? new Date(d.endsAt).toISOString() : null,
    usageLimit: int(d.usageLimit, '/body/usageLimit'),
    perCustomerLimit: int(d.perCustomerLimit, '/body/perCustomerLimit'),
    combinable: d.combinable,
    active: true,
  };
  return Object.keys(errors).length ? { errors } : { body };
}

/** Create or change a promotion: a code or automatic, percentage or fixed, on the order, products or categories. */
export function PromotionDialog({ editing, onClose }: { editing?: Promotion | undefined; onClose: () => void }) {
  const [draft, setDraft] = useState<Draft>(editing ? fromPromotion(editing) : empty);
  const [local, setLocal] = useState<Record<string, string>>({});
  const currencies = useShopCurrencies();
  const categories = useCategories();
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const save = useApiMutation({
    mutationFn: async (body: Body, { idempotencyKey }) => {
      const headers = { 'Idempotency-Key': idempotencyKey };
      if (editing) {
        // Enabling and disabling is the list's button: an edit keeps the promotion's state.
        const { active: _active, ...changes } = body;
        return (
          await api.PATCH('/v1/admin/promotions/{id}', { params: { path: { id: editing.id } }, body: changes, headers })
        ).data;
      }
      return (await api.POST('/v1/admin/promotions', { body, headers })).data;
    },
    invalidate: [promotionKeys.all],
    onSuccess: onClose,
  });
  const error = save.error ? describeError(save.error) : undefined;
  const fe = { ...(error?.fieldErrors ?? {}), ...local };
  return (
    <FormDialog
      title={editing ? `Edit ${editing.name}` : 'New promotion'}
      formId="promotion-form"
      submitLabel={editing ? 'Save' : 'Create'}
      pending={save.isPending}
      error={error}
      onClose={onClose}
      onSubmit={() => {
        const result = toBody(draft);
        if ('errors' in result) {
          setLocal(result.errors);
          return;
        }
        setLocal({});
        save.mutate(result.body);
      }}
    >
      <Field label="Name" required fieldErrors={fe} name="name" hint="For staff; customers see the code.">
        <Input value={draft.name} onChange={(e) => set({ name: e.target.value })} />
      </Field>
      <CheckboxLine checked={draft.automatic} onChange={(v) => set({ automatic: v })}>
        Automatic (applies without a code)
      </CheckboxLine>
      {draft.automatic ? null : (
        <Field label="Code" required fieldErrors={fe} name="code" hint="Letters, digits, - and _; case is ignored.">
          <Input
            value={draft.code}
            spellCheck={false}
            autoCapitalize="characters"
            onChange={(e) => set({ code: e.target.value })}
          />
        </Field>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Discount type" fieldErrors={fe} name="kind">
          <Select
            value={draft.kind}
            onChange={(e) => set({ kind: e.target.value as Draft['kind'] })}
            options={[
              { value: 'percentage', label: 'Percentage' },
              { value: 'fixed', label: 'Fixed amount' },
            ]}
          />
        </Field>
        <Field
          label={draft.kind === 'percentage' ? 'Percent off' : 'Amount off'}
          required
          fieldErrors={fe}
          name="value"
        >
          <Input inputMode="decimal" value={draft.value} onChange={(e) => set({ value: e.target.value })} />
        </Field>
      </div>
      <Field
        label="Currency"
        fieldErrors={fe}
        name="currency"
        hint="Needed for a fixed amount or a minimum subtotal; a percentage without one applies in every currency."
      >
        <Select
          value={draft.currency}
          onChange={(e) => set({ currency: e.target.value })}
          placeholder="Any currency"
          options={currencies.map((c) => ({ value: c, label: c }))}
        />
      </Field>
      <Field label="Applies to" fieldErrors={fe} name="target">
        <Select
          value={draft.target}
          onChange={(e) => set({ target: e.target.value as Draft['target'] })}
          options={[
            { value: 'order', label: 'The whole order' },
            { value: 'products', label: 'Some products' },
            { value: 'categories', label: 'Some categories' },
          ]}
        />
      </Field>
      {draft.target === 'products' ? (
        <Field label="Product ids" required fieldErrors={fe} name="targetIds" hint="Separated by spaces or commas.">
          <Input value={draft.productIds} spellCheck={false} onChange={(e) => set({ productIds: e.target.value })} />
        </Field>
      ) : null}
      {draft.target === 'categories' ? (
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium text-gray-800">Categories (their sub-categories count too)</legend>
          {(categories.data ?? []).map((c) => (
            <CheckboxLine
              key={c.id}
              checked={draft.categoryIds.includes(c.id)}
              onChange={(v) =>
                set({ categoryIds: v ? [...draft.categoryIds, c.id] : draft.categoryIds.filter((id) => id !== c.id) })
              }
            >
              {c.name}
            </CheckboxLine>
          ))}
          {fe['/body/targetIds'] ? <p className="text-sm text-red-700">{fe['/body/targetIds']}</p> : null}
        </fieldset>
      ) : null}
      <Field label="Minimum subtotal" fieldErrors={fe} name="minSubtotal">
        <Input inputMode="decimal" value={draft.minSubtotal} onChange={(e) => set({ minSubtotal: e.target.value })} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Starts" fieldErrors={fe} name="startsAt" hint="Empty: now.">
          <Input type="datetime-local" value={draft.startsAt} onChange={(e) => set({ startsAt: e.target.value })} />
        </Field>
        <Field label="Ends" fieldErrors={fe} name="endsAt" hint="Empty: no end.">
          <Input type="datetime-local" value={draft.endsAt} onChange={(e) => set({ endsAt: e.target.value })} />
        </Field>
        <Field label="Uses in total" fieldErrors={fe} name="usageLimit" hint="Empty: no limit.">
          <Input inputMode="numeric" value={draft.usageLimit} onChange={(e) => set({ usageLimit: e.target.value })} />
        </Field>
        <Field label="Uses per customer" fieldErrors={fe} name="perCustomerLimit" hint="Guests count by email.">
          <Input
            inputMode="numeric"
            value={draft.perCustomerLimit}
            onChange={(e) => set({ perCustomerLimit: e.target.value })}
          />
        </Field>
      </div>
      <CheckboxLine checked={draft.combinable} onChange={(v) => set({ combinable: v })}>
        Combines with other combinable promotions
      </CheckboxLine>
    </FormDialog>
  );
}
