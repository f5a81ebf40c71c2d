import { type FormEvent, useState } from 'react';
import { api } from '../../../api/client';
import { describeError, fieldError } from '../../../api/errors';
import { useApiMutation } from '../../../api/mutation';
import { Can } from '../../../auth/Can';
import { Section } from '../../../components/DetailPage';
import { Button, DateTime, ErrorNotice, Field, Textarea } from '../../../components/ui';
import { idempotent, type Order, orderChanged } from './api';
import { actorText, describeEntry } from './timeline-text';

function AddNote({ order }: { order: Order }) {
  const [note, setNote] = useState('');
  const add = useApiMutation({
    mutationFn: async (vars: { note: string }, { idempotencyKey }) =>
      (
        await api.POST('/v1/admin/orders/{id}/notes', {
          params: { path: { id: order.id } },
          body: vars,
          ...idempotent(idempotencyKey),
        })
      ).data,
    invalidate: orderChanged(order.id),
    onSuccess: () => setNote(''),
  });
  const error = add.error ? describeError(add.error) : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (note.trim() && !add.isPending) add.mutate({ note: note.trim() });
  };
  return (
    <form onSubmit={submit} className="space-y-2" noValidate>
      <Field
        label="Add a note"
        hint="Staff only; the customer does not see it."
        error={error ? fieldError(error.fieldErrors, 'note') : undefined}
      >
        <Textarea value={note} maxLength={5000} onChange={(e) => setNote(e.target.value)} />
      </Field>
      {error && !fieldError(error.fieldErrors, 'note') ? <ErrorNotice error={error} /> : null}
      <Button type="submit" size="sm" loading={add.isPending} disabled={!note.trim()}>
        Add note
      </Button>
    </form>
  );
}

/** Everything that happened to the order, newest first (the server's timeline, unfiltered), and staff notes. */
export function TimelineSection({ order }: { order: Order }) {
  const entries = [...order.timeline].reverse();
  return (
    <Section title="Timeline">
      <Can permission="orders:write">
        <AddNote order={order} />
      </Can>
      <ol className="space-y-3 border-l-2 border-gray-200 pl-4">
        {entries.map((e) => {
          const t = describeEntry(e, order.currency);
          return (
            <li key={e.id} className="text-sm">
              <p className={e.kind === 'note.added' ? 'font-medium text-accent-800' : 'font-medium'}>{t.title}</p>
              {t.detail ? <p className="break-words whitespace-pre-line text-gray-800">{t.detail}</p> : null}
              <p className="text-xs text-gray-700">
                <DateTime value={e.at} /> · {actorText(e)}
              </p>
            </li>
          );
        })}
      </ol>
    </Section>
  );
}
