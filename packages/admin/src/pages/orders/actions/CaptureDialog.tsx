import { useState } from 'react';
import { api } from '../../../api/client';
import { fieldError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Money } from '../../../components/ui';
import { idempotent, type Order, orderChanged } from '../sections/api';
import { ActionDialog } from './ActionDialog';
import { MoneyField } from './MoneyField';
import { parseMoneyInput } from './money-input';

type CaptureVars = { amount?: { amount: number; currency: string } };

/**
 * Capture the authorized payment: everything still authorized (no body — the server knows how much), or a part.
 * The server never captures more than authorized − captured.
 */
export function CaptureDialog({ order, onReload }: { order: Order; onReload: () => unknown }) {
  const [mode, setMode] = useState<'all' | 'part'>('all');
  const [text, setText] = useState('');
  const parsed = mode === 'part' ? parseMoneyInput(text, order.currency) : undefined;
  const capture = useApiMutation({
    mutationFn: async (vars: CaptureVars, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/orders/{id}/capture', {
          params: { path: { id: order.id } },
          body: vars,
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: orderChanged(order.id),
  });

  return (
    <ActionDialog
      label="Capture payment"
      triggerVariant="primary"
      title={`Capture payment of order #${order.number}`}
      description={
        <>
          Order total <Money value={order.total} />. Capturing takes the money the customer authorized.
        </>
      }
      submitLabel="Capture"
      done={`Payment of order #${order.number} captured`}
      onReload={onReload}
      onOpen={() => {
        setMode('all');
        setText('');
      }}
      invalid={parsed && 'error' in parsed ? parsed.error : undefined}
      onSubmit={() =>
        capture.mutateAsync(
          parsed && 'amount' in parsed ? { amount: { amount: parsed.amount, currency: order.currency } } : {},
        )
      }
    >
      {(errors) => (
        <>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-gray-800">How much</legend>
            <label className="flex items-center gap-2 text-sm">
              <input type="radio" name="capture-mode" checked={mode === 'all'} onChange={() => setMode('all')} />
              Everything still authorized
            </label>
            <label className="flex items-center gap-2 text-sm">
              <input type="radio" name="capture-mode" checked={mode === 'part'} onChange={() => setMode('part')} />
              Part of it
            </label>
          </fieldset>
          {mode === 'part' ? (
            <MoneyField
              label="Amount to capture"
              currency={order.currency}
              value={text}
              onChange={setText}
              error={
                fieldError(errors, 'amount/amount') ??
                fieldError(errors, 'amount') ??
                (text && parsed && 'error' in parsed ? parsed.error : undefined)
              }
            />
          ) : null}
        </>
      )}
    </ActionDialog>
  );
}
