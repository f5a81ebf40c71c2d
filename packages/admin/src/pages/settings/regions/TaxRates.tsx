import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { DeleteRowButton } from '../../../components/DeleteRowButton';
import { Section } from '../../../components/DetailPage';
import {
  Button,
  EmptyState,
  ErrorNotice,
  Field,
  FormDialog,
  Input,
  Spinner,
  Table,
  TBody,
  Td,
  THead,
  Th,
  Tr,
} from '../../../components/ui';
import { parsePercent, percent, regionKeys, type TaxRate, useTaxRates } from './api';

interface Draft {
  countryCode: string;
  provinceCode: string;
  name: string;
  rate: string;
  overrides: string;
}

const overridesText = (rate: TaxRate) => rate.overrides.map((o) => `${o.categoryId}=${percent(o.rate)}`).join(', ');

/** "cat_1=7, cat_2=0" → overrides, or undefined. */
function parseOverrides(text: string) {
  const parts = text
    .split(/[,;\n]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const out: { categoryId: string; rate: number }[] = [];
  for (const p of parts) {
    const [id, value] = p.split('=').map((s) => s.trim());
    const rate = value === undefined ? undefined : parsePercent(value);
    if (!id || rate === undefined) return undefined;
    out.push({ categoryId: id, rate });
  }
  return out;
}

function TaxRateDialog({ editing, onClose }: { editing?: TaxRate; onClose: () => void }) {
  const [draft, setDraft] = useState<Draft>(
    editing
      ? {
          countryCode: editing.countryCode,
          provinceCode: editing.provinceCode ?? '',
          name: editing.name,
          rate: percent(editing.rate),
          overrides: overridesText(editing),
        }
      : { countryCode: '', provinceCode: '', name: '', rate: '', overrides: '' },
  );
  const [local, setLocal] = useState<Record<string, string>>({});
  type Body = {
    countryCode: string;
    provinceCode: string | null;
    name: string;
    rate: number;
    overrides: { categoryId: string; rate: number }[];
  };
  const save = useApiMutation({
    mutationFn: async (body: Body, ctx) => {
      const headers = { 'Idempotency-Key': ctx.idempotencyKey };
      if (editing) {
        const { name, rate, overrides } = body;
        return (
          await api.PATCH('/v1/admin/tax-rates/{id}', {
            params: { path: { id: editing.id } },
            body: { name, rate, overrides },
            headers,
          })
        ).data;
      }
      return (await api.POST('/v1/admin/tax-rates', { body, headers })).data;
    },
    invalidate: [regionKeys.taxRates],
    onSuccess: onClose,
  });
  const error = save.error ? describeError(save.error) : undefined;
  const fe = { ...(error?.fieldErrors ?? {}), ...local };
  const submit = () => {
    const countryCode = draft.countryCode.trim().toUpperCase();
    const provinceCode = draft.provinceCode.trim().toUpperCase();
    const rate = parsePercent(draft.rate);
    const overrides = parseOverrides(draft.overrides);
    const errors: Record<string, string> = {};
    if (!/^[A-Z]{2}$/.test(countryCode)) errors['/body/countryCode'] = 'must be a two-letter code, e.g. DE';
    if (provinceCode && !/^[A-Z0-9]{1,3}$/.test(provinceCode)) errors['/body/provinceCode'] = 'e.g. NY';
    if (rate === undefined) errors['/body/rate'] = 'must be a percentage between 0 and 100, e.g. 19 or 7.5';
    if (!overrides) errors['/body/overrides'] = 'write category-id=percent pairs, e.g. cat_123=7';
    setLocal(errors);
    if (Object.keys(errors).length > 0 || rate === undefined || !overrides) return;
    save.mutate({ countryCode, provinceCode: provinceCode || null, name: draft.name.trim(), rate, overrides });
  };
  return (
    <FormDialog
      title={editing ? `Edit ${editing.name} (${editing.countryCode})` : 'New tax rate'}
      formId="tax-rate-form"
      submitLabel={editing ? 'Save' : 'Create'}
      pending={save.isPending}
      error={error}
      onClose={onClose}
      onSubmit={submit}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Country" hint="e.g. DE" required fieldErrors={fe} name="countryCode">
          <Input
            value={draft.countryCode}
            disabled={!!editing}
            maxLength={2}
            spellCheck={false}
            onChange={(e) => setDraft({ ...draft, countryCode: e.target.value })}
          />
        </Field>
        <Field label="Province" hint="Empty: the whole country." fieldErrors={fe} name="provinceCode">
          <Input
            value={draft.provinceCode}
            disabled={!!editing}
            maxLength={3}
            spellCheck={false}
            onChange={(e) => setDraft({ ...draft, provinceCode: e.target.value })}
          />
        </Field>
      </div>
      <Field label="Name" hint="Shown on tax lines, e.g. VAT." required fieldErrors={fe} name="name">
        <Input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
      </Field>
      <Field label="Rate (%)" required fieldErrors={fe} name="rate">
        <Input value={draft.rate} inputMode="decimal" onChange={(e) => setDraft({ ...draft, rate: e.target.value })} />
      </Field>
      <Field
        label="Category rates"
        hint="Optional: category-id=percent pairs separated by commas (a category and its subcategories), e.g. cat_books=7."
        fieldErrors={fe}
        name="overrides"
      >
        <Input
          value={draft.overrides}
          spellCheck={false}
          onChange={(e) => setDraft({ ...draft, overrides: e.target.value })}
        />
      </Field>
    </FormDialog>
  );
}

/** Tax rates per country (or province), with per-category rates. */
export function TaxRatesSection() {
  const rates = useTaxRates();
  const [dialog, setDialog] = useState<{ editing?: TaxRate } | undefined>();
  const rows = rates.data ?? [];
  return (
    <Section
      title="Tax rates"
      actions={
        <Button size="sm" variant="primary" onClick={() => setDialog({})}>
          New tax rate
        </Button>
      }
    >
      {rates.isError ? (
        <ErrorNotice error={describeError(rates.error)} />
      ) : rates.isPending ? (
        <Spinner label="Loading tax rates" />
      ) : rows.length === 0 ? (
        <EmptyState title="No tax rates" description="Without a rate, orders to a country are not taxed." />
      ) : (
        <div className="overflow-x-auto">
          <Table>
            <THead>
              <Tr>
                <Th>Country</Th>
                <Th>Name</Th>
                <Th className="text-right">Rate</Th>
                <Th className="hidden sm:table-cell">Category rates</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </Tr>
            </THead>
            <TBody>
              {rows.map((r) => (
                <Tr key={r.id}>
                  <Td>
                    {r.countryCode}
                    {r.provinceCode ? `-${r.provinceCode}` : ''}
                  </Td>
                  <Td className="break-words">{r.name}</Td>
                  <Td className="text-right tabular-nums">{percent(r.rate)}%</Td>
                  <Td className="hidden text-sm text-gray-700 sm:table-cell">
                    {r.overrides.length ? overridesText(r) : '—'}
                  </Td>
                  <Td className="text-right">
                    <div className="flex justify-end gap-1">
                      <Button
                        size="sm"
                        aria-label={`Edit ${r.name} ${r.countryCode}`}
                        onClick={() => setDialog({ editing: r })}
                      >
                        Edit
                      </Button>
                      <DeleteRowButton
                        label={`Delete ${r.name} ${r.countryCode}`}
                        title={`Delete ${r.name} (${r.countryCode}${r.provinceCode ? `-${r.provinceCode}` : ''})?`}
                        description="Orders to this country (or province) are no longer taxed at this rate."
                        remove={() => api.DELETE('/v1/admin/tax-rates/{id}', { params: { path: { id: r.id } } })}
                        reload={() => rates.refetch()}
                      />
                    </div>
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </div>
      )}
      {dialog ? <TaxRateDialog editing={dialog.editing} onClose={() => setDialog(undefined)} /> : null}
    </Section>
  );
}
