import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../api/client';
import { describeError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { DeleteRowButton } from '../../../components/DeleteRowButton';
import { Section } from '../../../components/DetailPage';
import {
  Badge,
  Button,
  EmptyState,
  ErrorNotice,
  Field,
  Input,
  Money,
  Select,
  Spinner,
  Table,
  TBody,
  Td,
  THead,
  Th,
  Tr,
} from '../../../components/ui';
import { parseAmount } from '../../products/money';
import { type Preview, percent, type Region, regionKeys, type ShippingOption, useShippingOptions } from './api';
import { ShippingOptionDialog } from './ShippingOptionDialog';

function PriceText({ option, currency }: { option: ShippingOption; currency: string }) {
  const p = option.price;
  if (p.kind === 'flat') return <Money value={{ amount: p.amount ?? 0, currency }} />;
  if (p.kind === 'free_above') {
    return (
      <span>
        <Money value={{ amount: p.amount ?? 0, currency }} />, free from{' '}
        <Money value={{ amount: p.threshold ?? 0, currency }} />
      </span>
    );
  }
  return (
    <span>
      {(p.bands ?? []).map((b, i) => (
        <span key={b.maxGrams} className="whitespace-nowrap">
          {i > 0 ? ' · ' : ''}≤ {b.maxGrams} g <Money value={{ amount: b.amount, currency }} />
        </span>
      ))}
    </span>
  );
}

/** A sample cart priced by the server's checkout rules: tax and shipping for each option that could ship it. */
function PreviewForm({ region }: { region: Region }) {
  const currency = region.currency;
  const [subtotal, setSubtotal] = useState('');
  const [weight, setWeight] = useState('');
  const [country, setCountry] = useState(region.countries[0] ?? '');
  const [local, setLocal] = useState<Record<string, string>>({});
  const preview = useApiMutation({
    mutationFn: async (body: { subtotal: number; weightGrams: number; countryCode: string }, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/regions/{id}/preview', {
          params: { path: { id: region.id } },
          body,
          headers: { 'Idempotency-Key': idempotencyKey },
        })
      ).data,
  });
  const error = preview.error ? describeError(preview.error) : undefined;
  const fe = { ...(error?.fieldErrors ?? {}), ...local };
  const result: Preview | undefined = preview.data;
  if (region.countries.length === 0) {
    return <p className="text-sm text-gray-700">Add a country to this region to preview a cart.</p>;
  }
  return (
    <form
      aria-label={`Preview a cart in ${region.name}`}
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        const amount = parseAmount(subtotal, currency);
        const grams = weight.trim() === '' ? 0 : Number(weight);
        const errors: Record<string, string> = {};
        if (!amount.ok) errors['/body/subtotal'] = amount.message;
        if (!Number.isInteger(grams) || grams < 0) errors['/body/weightGrams'] = 'whole grams, e.g. 1200';
        setLocal(errors);
        if (!amount.ok || errors['/body/weightGrams']) return;
        preview.mutate({ subtotal: amount.minor, weightGrams: grams, countryCode: country });
      }}
    >
      <h3 className="text-sm font-semibold">What would a cart pay?</h3>
      <div className="grid gap-3 sm:grid-cols-4 sm:items-end">
        <Field
          label={`Subtotal (${currency}${region.taxInclusive ? ', with tax' : ''})`}
          fieldErrors={fe}
          name="subtotal"
        >
          <Input value={subtotal} inputMode="decimal" onChange={(e) => setSubtotal(e.target.value)} />
        </Field>
        <Field label="Weight (g)" fieldErrors={fe} name="weightGrams">
          <Input value={weight} inputMode="numeric" onChange={(e) => setWeight(e.target.value)} />
        </Field>
        <Field label="Ship to" fieldErrors={fe} name="countryCode">
          <Select
            value={country}
            options={region.countries.map((c) => ({ value: c, label: c }))}
            onChange={(e) => setCountry(e.target.value)}
          />
        </Field>
        <Button type="submit" loading={preview.isPending}>
          Preview
        </Button>
      </div>
      {error && Object.keys(error.fieldErrors).length === 0 ? <ErrorNotice error={error} /> : null}
      {result ? (
        <div aria-live="polite" className="space-y-2">
          <p className="text-sm text-gray-700">
            Tax rate for {preview.variables?.countryCode}:{' '}
            {result.taxRateName ? `${result.taxRateName} ${percent(result.taxRate)}%` : 'none (not taxed)'}.
          </p>
          {result.options.length === 0 ? (
            <p className="text-sm text-gray-700">No active option can ship this cart.</p>
          ) : (
            <div className="overflow-x-auto">
              <Table aria-label="Preview">
                <THead>
                  <Tr>
                    <Th>Option</Th>
                    <Th className="text-right">Shipping</Th>
                    <Th className="text-right">Tax</Th>
                    <Th className="text-right">Total</Th>
                  </Tr>
                </THead>
                <TBody>
                  {result.options.map((o) => (
                    <Tr key={o.id}>
                      <Td className="break-words">{o.name}</Td>
                      <Td className="text-right">
                        <Money value={{ amount: o.shippingTotal, currency }} />
                      </Td>
                      <Td className="text-right">
                        <Money value={{ amount: o.tax, currency }} />
                      </Td>
                      <Td className="text-right font-medium">
                        <Money value={{ amount: o.total, currency }} />
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
            </div>
          )}
        </div>
      ) : null}
    </form>
  );
}

/** One region: its settings, its shipping options and a preview. */
export function RegionCard({ region, onEdit }: { region: Region; onEdit: () => void }) {
  const options = useShippingOptions(region.id);
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<{ editing?: ShippingOption } | undefined>();
  const rows = options.data ?? [];
  return (
    <Section
      title={
        <span className="inline-flex flex-wrap items-center gap-2">
          <span className="break-words">{region.name}</span>
          <Badge>{region.currency}</Badge>
          <Badge tone={region.taxInclusive ? 'info' : 'neutral'}>
            {region.taxInclusive ? 'Prices include tax' : 'Prices without tax'}
          </Badge>
        </span>
      }
      actions={
        <>
          <Button size="sm" aria-label={`Edit ${region.name}`} onClick={onEdit}>
            Edit
          </Button>
          <Button size="sm" aria-label={`Add shipping option to ${region.name}`} onClick={() => setDialog({})}>
            Add shipping option
          </Button>
          <DeleteRowButton
            label={`Delete ${region.name}`}
            title={`Delete ${region.name}?`}
            description="Its countries and shipping options go with it; carts in those countries can no longer be priced."
            remove={() => api.DELETE('/v1/admin/regions/{id}', { params: { path: { id: region.id } } })}
            reload={() => queryClient.invalidateQueries({ queryKey: regionKeys.regions })}
          />
        </>
      }
    >
      <p className="text-sm text-gray-700">
        Countries: {region.countries.length ? region.countries.join(', ') : 'none yet'}
      </p>
      {options.isError ? (
        <ErrorNotice error={describeError(options.error)} />
      ) : options.isPending ? (
        <Spinner label="Loading shipping options" />
      ) : rows.length === 0 ? (
        <EmptyState title="No shipping options" description="Customers in this region cannot check out without one." />
      ) : (
        <div className="overflow-x-auto">
          <Table aria-label={`Shipping options of ${region.name}`}>
            <THead>
              <Tr>
                <Th>Shipping option</Th>
                <Th>Price</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </Tr>
            </THead>
            <TBody>
              {rows.map((o) => (
                <Tr key={o.id}>
                  <Td className="break-words">
                    {o.name} {o.active ? null : <Badge>Inactive</Badge>}
                  </Td>
                  <Td className="text-sm">
                    <PriceText option={o} currency={region.currency} />
                  </Td>
                  <Td className="text-right">
                    <div className="flex justify-end gap-1">
                      <Button size="sm" aria-label={`Edit ${o.name}`} onClick={() => setDialog({ editing: o })}>
                        Edit
                      </Button>
                      <DeleteRowButton
                        label={`Delete ${o.name}`}
                        title={`Delete ${o.name}?`}
                        description="Customers can no longer choose it; untick “Offered at checkout” to only hide it."
                        remove={() => api.DELETE('/v1/admin/shipping-options/{id}', { params: { path: { id: o.id } } })}
                        reload={() => options.refetch()}
                      />
                    </div>
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </div>
      )}
      <PreviewForm region={region} />
      {dialog ? (
        <ShippingOptionDialog region={region} editing={dialog.editing} onClose={() => setDialog(undefined)} />
      ) : null}
    </Section>
  );
}
