import { useState } from 'react';
import { api } from '../../api/client';
import { describeError, fieldError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Button, Dialog, DialogClose, ErrorNotice, Field, Input, useToast } from '../../components/ui';
import { type Customer, customerChanged, idempotent } from './api';

/**
 * "Erase personal data" (the erasure request): irreversible, so the member types the customer's email — the server
 * checks it again (422 otherwise). Orders and payments stay for the books, without the person.
 */
export function EraseDialog({ customer }: { customer: Customer }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const toast = useToast();
  const erase = useApiMutation({
    mutationFn: async (confirm: string, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/customers/{id}/erase', {
          params: { path: { id: customer.id } },
          body: { confirm },
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: customerChanged(customer.id),
    onSuccess: () => {
      setOpen(false);
      toast('Personal data erased');
    },
  });
  const matches = typed.trim().toLowerCase() === customer.email.toLowerCase();
  const error = erase.error ? describeError(erase.error) : undefined;

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          setTyped('');
          erase.reset();
        }
      }}
      trigger={<Button variant="danger">Erase personal data</Button>}
      title="Erase this customer’s personal data?"
      description={
        <>
          Their name, emails, phone and addresses are removed from the account, their carts and their orders; they are
          signed out and can no longer sign in. Orders and payments stay for your books, no longer linked to them.{' '}
          <strong>This cannot be undone.</strong>
        </>
      }
      footer={
        <>
          <DialogClose asChild>
            <Button disabled={erase.isPending}>Cancel</Button>
          </DialogClose>
          <Button
            variant="danger"
            disabled={!matches}
            loading={erase.isPending}
            onClick={() => erase.mutate(typed.trim())}
          >
            Erase for good
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (matches) erase.mutate(typed.trim());
        }}
      >
        <Field
          label={
            <>
              Type <span className="font-mono break-all">{customer.email}</span> to confirm
            </>
          }
          error={error ? fieldError(error.fieldErrors, 'confirm') : undefined}
        >
          <Input value={typed} autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.target.value)} />
        </Field>
      </form>
      {error && !fieldError(error.fieldErrors, 'confirm') ? <ErrorNotice error={error} /> : null}
    </Dialog>
  );
}
