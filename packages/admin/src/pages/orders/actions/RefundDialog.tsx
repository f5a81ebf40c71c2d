import { useState } from 'react';
import { api } from '../../../api/client';
import { fieldError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Field, Select, Textarea } from '../../../components/ui';
import { idempotent, type Order, orderChanged } from '../sections/api';
import { ActionDialog } from './ActionDialog';
import { MoneyField } from './MoneyField';
import { parseMoneyInput } from './money-input';

type RefundVars = { amount: { amount: number; currency: string }; reason?: string; returnId?: string };

/**
 * Refund part or all of what was captured, to the order's own payments (oldest first). The server refuses more than
 * captured − refunded (422, nothing refunded). One Idempotency-Key per intent: a double click on "Refund" refunds
 * once.
 */
export function RefundDialog({ order, onReload }: { order: Order; onReload: () => unknown }) {
  const [text, setText] = useState('');
  const [reason, setReason] = useState('');
  const [returnId, setReturnId] = useState('');
  const parsed = parseMoneyInput(text, order.currency);
  const refund = useApiMutation({
    mutationFn: async (vars: RefundVars, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/orders/{id}/refunds', {
          params: { path: { id: order.id } },
          body: vars,
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: orderChanged(order.id),
  });
  const returns = order.returns.filter((r) => r.status === 'received' || r.status === 'approved');
  const trimmed = reason.trim();

  return (
    <ActionDialog
      label="Refund"
      title={`Refund order #${order.number}`}
      description="Money goes back to the payments the customer made, oldest first. The customer is emailed."
      submitLabel="Refund"
      submitVariant="danger"
      done={`Refund of order #${order.number} sent`}
      onReload={onReload}
      onOpen={() => {
        setText('');
        setReason('');
        setReturnId(returns.find((r) => r.status === 'received' && r.refundedAmount.amount === 0)?.id ?? '');
      }}
      invalid={'error' in parsed ? parsed.error : undefined}
      onSubmit={() => {
        if ('error' in parsed) return Promise.reject(new Error(parsed.error));
        return refund.mutateAsync({
          amount: { amount: parsed.amount, currency: order.currency },
          ...(trimmed ? { reason: trimmed } : {}),
          ...(returnId ? { returnId } : {}),
        });
      }}
    >
      {(errors) => (
        <>
          <MoneyField
            label="Amount to refund"
            currency={order.currency}
            value={text}
            onChange={setText}
            error={
              fieldError(errors, 'amount/amount') ??
              fieldError(errors, 'amount') ??
              (text && 'error' in parsed ? parsed.error : undefined)
            }
          />
          {returns.length > 0 ? (
            <Field label="For a return (optional)" name="returnId" fieldErrors={errors}>
              <Select
                value={returnId}
                onChange={(e) => setReturnId(e.target.value)}
                placeholder="Not for a return"
                options={returns.map((r) => ({
                  value: r.id,
                  label: `Return of ${r.lines.reduce((n, l) => n + l.quantity, 0)} units (${r.status})`,
                }))}
              />
            </Field>
          ) : null}
          <Field label="Reason (optional)" name="reason" fieldErrors={errors} hint="Shown on the timeline.">
            <Textarea value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
          </Field>
        </>
      )}
    </ActionDialog>
  );
}
