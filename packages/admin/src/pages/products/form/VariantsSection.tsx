import { useState } from 'react';
import { Section } from '../../../components/DetailPage';
import { Button, Field, Input, Select } from '../../../components/ui';
import { emptyVariant, type ProductForm, splitValues, type VariantRow } from '../form-model';
import { currencyCode, minorDigits } from '../money';
import type { SectionProps } from './types';

/** The price columns: the product's currencies plus the shop's; staff can add any other by its code. */
function Currencies({ form, update, readOnly, suggested }: SectionProps & { suggested: string[] }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const missing = suggested.filter((c) => !form.currencies.includes(c));
  const add = (raw: string) => {
    const code = currencyCode(raw);
    if (!code) return setProblem('Type a three-letter currency code, e.g. EUR');
    setProblem(undefined);
    setText('');
    if (!form.currencies.includes(code)) update((f) => ({ ...f, currencies: [...f.currencies, code] }));
  };
  return (
    <div className="space-y-2">
      <p className="text-sm text-gray-800">
        Prices in: {form.currencies.length > 0 ? <strong>{form.currencies.join(', ')}</strong> : 'no currency yet'}
      </p>
      {readOnly ? null : (
        <div className="flex flex-wrap items-end gap-2">
          <Field label="Add a currency" error={problem} className="w-40">
            <Input
              value={text}
              placeholder="EUR"
              maxLength={3}
              autoCapitalize="characters"
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  add(text);
                }
              }}
            />
          </Field>
          <Button onClick={() => add(text)}>Add currency</Button>
          {missing.map((c) => (
            <Button key={c} variant="ghost" onClick={() => add(c)}>
              + {c}
            </Button>
          ))}
        </div>
      )}
    </div>
  );
}

function changeVariant(form: ProductForm, key: string, change: (v: VariantRow) => VariantRow): ProductForm {
  return { ...form, variants: form.variants.map((v) => (v.key === key ? change(v) : v)) };
}

function VariantCard({ form, update, error, readOnly, v, i }: SectionProps & { v: VariantRow; i: number }) {
  const options = form.options.filter((o) => o.name.trim() !== '');
  const set = (change: (v: VariantRow) => VariantRow) => update((f) => changeVariant(f, v.key, change));
  const at = `variants.${i}`;
  const label =
    options
      .map((o) => v.options[o.name.trim()])
      .filter(Boolean)
      .join(' / ') ||
    v.title ||
    `Variant ${i + 1}`;
  return (
    <fieldset className="rounded-md border border-gray-200 p-3">
      <legend className="px-1 text-sm font-semibold text-gray-900">{label}</legend>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        {options.map((o) => (
          <Field key={o.key} label={o.name} error={error(`${at}.options`)}>
            <Select
              value={v.options[o.name.trim()] ?? ''}
              placeholder="Choose…"
              options={splitValues(o.values).map((x) => ({ value: x, label: x }))}
              onChange={(e) => set((x) => ({ ...x, options: { ...x.options, [o.name.trim()]: e.target.value } }))}
            />
          </Field>
        ))}
        <Field label="SKU" required error={error(`${at}.sku`)}>
          <Input value={v.sku} spellCheck={false} onChange={(e) => set((x) => ({ ...x, sku: e.target.value }))} />
        </Field>
        <Field label="Barcode" error={error(`${at}.barcode`)}>
          <Input value={v.barcode} onChange={(e) => set((x) => ({ ...x, barcode: e.target.value }))} />
        </Field>
        <Field label="Weight (g)" error={error(`${at}.weight`)}>
          <Input
            value={v.weight}
            inputMode="numeric"
            onChange={(e) => set((x) => ({ ...x, weight: e.target.value }))}
          />
        </Field>
      </div>
      {form.currencies.length > 0 ? (
        <div className="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          {form.currencies.map((c) => {
            const cell = v.prices[c] ?? { amount: '', compareAt: '' };
            const setCell = (patch: Partial<typeof cell>) =>
              set((x) => ({ ...x, prices: { ...x.prices, [c]: { ...cell, ...patch } } }));
            const placeholder = minorDigits(c) === 0 ? '1999' : `19.${'9'.repeat(minorDigits(c))}`;
            return (
              <div key={c} className="contents">
                <Field label={`Price ${c}`} error={error(`${at}.prices.${c}.amount`)}>
                  <Input
                    value={cell.amount}
                    inputMode="decimal"
                    placeholder={placeholder}
                    onChange={(e) => setCell({ amount: e.target.value })}
                  />
                </Field>
                <Field label={`Compare-at ${c}`} error={error(`${at}.prices.${c}.compareAt`)}>
                  <Input
                    value={cell.compareAt}
                    inputMode="decimal"
                    onChange={(e) => setCell({ compareAt: e.target.value })}
                  />
                </Field>
              </div>
            );
          })}
        </div>
      ) : null}
      {error(`${at}.prices`) ? <p className="mt-2 text-sm text-red-700">{error(`${at}.prices`)}</p> : null}
      {readOnly || form.variants.length <= 1 ? null : (
        <div className="mt-3 flex justify-end">
          <Button
            size="sm"
            variant="ghost"
            onClick={() => update((f) => ({ ...f, variants: f.variants.filter((x) => x.key !== v.key) }))}
          >
            Remove {label}
          </Button>
        </div>
      )}
    </fieldset>
  );
}

/** Variants with SKU, barcode, weight and a price (and compare-at price) per currency. */
export function VariantsSection(props: SectionProps & { suggestedCurrencies: string[] }) {
  const { form, update, error, readOnly } = props;
  return (
    <Section
      title={`Variants (${form.variants.length})`}
      actions={
        readOnly ? undefined : (
          <Button
            size="sm"
            disabled={form.variants.length >= 100 || (form.options.length === 0 && form.variants.length >= 1)}
            onClick={() => update((f) => ({ ...f, variants: [...f.variants, emptyVariant()] }))}
          >
            Add variant
          </Button>
        )
      }
    >
      <Currencies {...props} suggested={props.suggestedCurrencies} />
      {error('variants') ? <p className="text-sm text-red-700">{error('variants')}</p> : null}
      {form.variants.length === 0 ? <p className="text-sm text-gray-700">No variants yet.</p> : null}
      {form.variants.map((v, i) => (
        <VariantCard key={v.key} {...props} v={v} i={i} />
      ))}
    </Section>
  );
}
