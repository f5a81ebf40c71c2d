import { useState } from 'react';
import { api } from '../../api/client';
import { describeError, fieldError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Can } from '../../auth/Can';
import { Section } from '../../components/DetailPage';
import { Button, ConfirmDialog, DateTime, ErrorNotice, Field, Textarea } from '../../components/ui';
import { type Customer, customerKeys, idempotent } from './api';

/** Staff notes on the customer: who wrote what, when; add and remove (`customers:write`). */
export function NotesSection({ customer }: { customer: Customer }) {
  const [body, setBody] = useState('');
  const add = useApiMutation({
    mutationFn: async (text: string, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/customers/{id}/notes', {
          params: { path: { id: customer.id } },
          body: { body: text },
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: [customerKeys.detail(customer.id)],
    onSuccess: () => setBody(''),
  });
  const remove = useApiMutation({
    mutationFn: async (noteId: string, { idempotencyKey }) =>
      api.DELETE('/v1/admin/customers/{id}/notes/{noteId}', {
        params: { path: { id: customer.id, noteId } },
        ...idempotent(idempotencyKey),
      }),
    invalidate: [customerKeys.detail(customer.id)],
  });
  const error = add.error ? describeError(add.error) : undefined;

  return (
    <Section title="Notes">
      {customer.notes.length === 0 ? (
        <p className="text-sm text-gray-700">No notes yet.</p>
      ) : (
        <ul className="divide-y divide-gray-100">
          {customer.notes.map((n) => (
            <li key={n.id} className="flex items-start gap-3 py-2">
              <div className="min-w-0 flex-1">
                <p className="text-sm break-words whitespace-pre-wrap text-gray-900">{n.body}</p>
                <p className="mt-1 text-xs text-gray-600">
                  {n.author.name ?? (n.author.type === 'api_key' ? 'API key' : 'System')} ·{' '}
                  <DateTime value={n.createdAt} />
                </p>
              </div>
              <Can permission="customers:write">
                <ConfirmDialog
                  trigger={
                    <Button size="sm" variant="ghost" aria-label={`Remove note from ${n.createdAt.slice(0, 10)}`}>
                      Remove
                    </Button>
                  }
                  title="Remove this note?"
                  description="Staff will no longer see it."
                  confirmLabel="Remove"
                  onConfirm={() => remove.mutateAsync(n.id)}
                />
              </Can>
            </li>
          ))}
        </ul>
      )}
      {customer.erased ? null : (
        <Can permission="customers:write">
          <form
            className="space-y-2"
            onSubmit={(e) => {
              e.preventDefault();
              if (body.trim()) add.mutate(body.trim());
            }}
          >
            <Field label="Add a note" error={error ? fieldError(error.fieldErrors, 'body') : undefined}>
              <Textarea rows={2} value={body} maxLength={5000} onChange={(e) => setBody(e.target.value)} />
            </Field>
            {error && !fieldError(error.fieldErrors, 'body') ? <ErrorNotice error={error} /> : null}
            <Button type="submit" size="sm" disabled={!body.trim()} loading={add.isPending}>
              Add note
            </Button>
          </form>
        </Can>
      )}
    </Section>
  );
}
