import { useQueries } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Button, Checkbox, Dialog, ErrorNotice, Field, Input, Money, Select, Spinner } from '../../components/ui';
import { catalogKeys, fetchProduct, type ProductSummary, useShopCurrencyList } from './api';
import {
  type BulkMode,
  type BulkRule,
  type BulkUnit,
  parsePercent,
  planBulkPrices,
  type VariantPrices,
} from './bulk-price';
import { currencyCode, parseAmount } from './money';

/** The server's limit per request (MAX_BULK_PRICES); bigger edits go in several all-or-nothing requests. */
const CHUNK = 1000;

const modes: { value: BulkMode; label: string }[] = [
  { value: 'set', label: 'Set to' },
  { value: 'increase', label: 'Raise by' },
  { value: 'decrease', label: 'Lower by' },
];

/**
 * Bulk price edit for the products selected in the list: pick variants, a currency and a rule (set, raise or lower
 * by an amount or a percentage), look at every new price, then send them through `POST /v1/admin/prices/bulk`.
 */
export function BulkPriceDialog({
  products,
  onClose,
}: {
  products: ProductSummary[];
  onClose: (applied: boolean) => void;
}) {
  const details = useQueries({
    queries: products.map((p) => ({
      queryKey: catalogKeys.product(p.id),
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchProduct(p.id, signal),
    })),
  });
  const shopCurrencies = useShopCurrencyList();
  // The form waits for the variants and the shop's currencies, so its controls do not change shape under the cursor.
  const loading = details.some((d) => d.isPending) || shopCurrencies.loading;
  const loadError = details.find((d) => d.error)?.error;
  const variants: VariantPrices[] = useMemo(
    () =>
      details.flatMap((d) =>
        (d.data?.variants ?? []).map((v) => ({
          variantId: v.id,
          sku: v.sku,
          productId: d.data?.id ?? '',
          productTitle: d.data?.title ?? '',
          variantTitle: v.title,
          prices: v.prices.map((p) => ({
            amount: p.price.amount,
            currency: p.price.currency,
            compareAtAmount: p.compareAtPrice?.amount ?? null,
          })),
        })),
      ),
    [details],
  );
  const currencies = [
    ...new Set([...shopCurrencies.currencies, ...variants.flatMap((v) => v.prices.map((p) => p.currency))]),
  ].sort();

  const [excluded, setExcluded] = useState<Set<string>>(new Set());
  const [currencyText, setCurrencyText] = useState('');
  const [mode, setMode] = useState<BulkMode>('increase');
  const [unit, setUnit] = useState<BulkUnit>('percent');
  const [valueText, setValueText] = useState('');
  const [compareAt, setCompareAt] = useState<'keep' | 'clear'>('keep');

  const currency = currencyCode(currencyText) ?? currencies[0];
  const effectiveUnit: BulkUnit = mode === 'set' ? 'amount' : unit;
  let value: number | undefined;
  let valueProblem: string | undefined;
  if (valueText.trim() !== '' && currency) {
    if (effectiveUnit === 'percent') {
      value = parsePercent(valueText);
      if (value === undefined) valueProblem = 'must be a percentage like 10 or 12.5';
    } else {
      const parsed = parseAmount(valueText, currency);
      if (parsed.ok) value = parsed.minor;
      else valueProblem = parsed.message;
    }
  }
  const chosen = variants.filter((v) => !excluded.has(v.variantId));
  const rule: BulkRule | undefined =
    currency && value !== undefined ? { currency, mode, unit: effectiveUnit, value, compareAt } : undefined;
  const plan = rule ? planBulkPrices(chosen, rule) : [];
  const problems = plan.filter((p) => p.problem);

  const apply = useApiMutation({
    mutationFn: async (_: undefined, { idempotencyKey }) => {
      for (let i = 0; i < plan.length; i += CHUNK) {
        const prices = plan.slice(i, i + CHUNK).map((p) => ({
          variantId: p.variantId,
          currency: p.currency,
          amount: p.after,
          compareAtAmount: p.compareAtAmount,
        }));
        await api.POST('/v1/admin/prices/bulk', {
          body: { prices },
          headers: { 'Idempotency-Key': `${idempotencyKey}.${i / CHUNK}` },
        });
      }
      return plan.length;
    },
    invalidate: [catalogKeys.products],
    onSuccess: () => onClose(true),
  });

  return (
    <Dialog
      open
      wide
      onOpenChange={(open) => {
        if (!open) onClose(false);
      }}
      title={`Edit prices of ${products.length} product${products.length === 1 ? '' : 's'}`}
      description="Choose the variants and a rule; every new price is shown before anything is saved."
      footer={
        <>
          <Button onClick={() => onClose(false)}>Cancel</Button>
          <Button
            variant="primary"
            loading={apply.isPending}
            disabled={plan.length === 0 || problems.length > 0}
            onClick={() => apply.mutate(undefined)}
          >
            Apply {plan.length} price{plan.length === 1 ? '' : 's'}
          </Button>
        </>
      }
    >
      {loadError ? <ErrorNotice error={describeError(loadError)} /> : null}
      {loading ? (
        <Spinner label="Loading variants" />
      ) : (
        <>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label="Currency" hint={currencies.length === 0 ? 'Type a code, e.g. EUR.' : undefined}>
              {currencies.length > 0 ? (
                <Select
                  value={currency ?? ''}
                  options={currencies.map((c) => ({ value: c, label: c }))}
                  onChange={(e) => setCurrencyText(e.target.value)}
                />
              ) : (
                <Input value={currencyText} maxLength={3} onChange={(e) => setCurrencyText(e.target.value)} />
              )}
            </Field>
            <Field label="Change">
              <Select value={mode} options={modes} onChange={(e) => setMode(e.target.value as BulkMode)} />
            </Field>
            {mode === 'set' ? null : (
              <Field label="By">
                <Select
                  value={unit}
                  options={[
                    { value: 'percent', label: 'Percent (%)' },
                    { value: 'amount', label: `Amount${currency ? ` (${currency})` : ''}` },
                  ]}
                  onChange={(e) => setUnit(e.target.value as BulkUnit)}
                />
              </Field>
            )}
            <Field
              label={effectiveUnit === 'percent' ? 'Percent' : `Amount${currency ? ` (${currency})` : ''}`}
              error={valueProblem}
            >
              <Input value={valueText} inputMode="decimal" onChange={(e) => setValueText(e.target.value)} />
            </Field>
            <Field label="Compare-at prices">
              <Select
                value={compareAt}
                options={[
                  { value: 'keep', label: 'Keep as they are' },
                  { value: 'clear', label: 'Remove them' },
                ]}
                onChange={(e) => setCompareAt(e.target.value as 'keep' | 'clear')}
              />
            </Field>
          </div>
          {mode !== 'set' ? (
            <p className="text-sm text-gray-700">
              Variants without a {currency ?? ''} price are left out when raising or lowering.
            </p>
          ) : null}
          <fieldset className="min-w-0">
            <legend className="text-sm font-semibold text-gray-900">
              Variants ({chosen.length} of {variants.length})
            </legend>
            <ul className="mt-2 max-h-72 divide-y divide-gray-100 overflow-y-auto rounded-md border border-gray-200">
              {variants.map((v) => {
                const row = plan.find((p) => p.variantId === v.variantId);
                const before = v.prices.find((p) => p.currency === currency);
                return (
                  <li key={v.variantId} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm">
                    <label htmlFor={`bulk-${v.variantId}`} className="flex min-w-0 flex-1 items-center gap-2">
                      <Checkbox
                        id={`bulk-${v.variantId}`}
                        checked={!excluded.has(v.variantId)}
                        onChange={(e) =>
                          setExcluded((s) => {
                            const next = new Set(s);
                            if (e.target.checked) next.delete(v.variantId);
                            else next.add(v.variantId);
                            return next;
                          })
                        }
                      />
                      <span className="min-w-0 break-words">
                        {v.productTitle}
                        {v.variantTitle !== v.productTitle ? ` — ${v.variantTitle}` : ''}{' '}
                        <span className="text-gray-600">({v.sku})</span>
                      </span>
                    </label>
                    <span className="tabular-nums">
                      {before && currency ? <Money value={{ amount: before.amount, currency }} /> : '—'}
                      {row ? (
                        <>
                          {' → '}
                          <strong>
                            <Money value={{ amount: row.after, currency: row.currency }} />
                          </strong>
                        </>
                      ) : null}
                    </span>
                    {row?.problem ? <span className="w-full text-red-700">{row.problem}</span> : null}
                  </li>
                );
              })}
            </ul>
          </fieldset>
        </>
      )}
      {apply.error ? <ErrorNotice error={describeError(apply.error)} /> : null}
    </Dialog>
  );
}
