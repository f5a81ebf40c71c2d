import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Button, Card, ErrorNotice, Field, Input, useToast } from '../../components/ui';

interface Values {
  currentPassword: string;
  newPassword: string;
  repeat: string;
}

const empty: Values = { currentPassword: '', newPassword: '', repeat: '' };

/** Change your password: the current one, the new one twice. Every other session of yours ends. */
export function ChangePasswordCard() {
  const toast = useToast();
  const [values, setValues] = useState<Values>(empty);
  const [mismatch, setMismatch] = useState(false);
  const change = useApiMutation<unknown, { currentPassword: string; newPassword: string }>({
    mutationFn: async (body, { idempotencyKey }) =>
      (await api.POST('/v1/admin/staff/me/password', { body, headers: { 'Idempotency-Key': idempotencyKey } })).data,
    onSuccess: () => {
      setValues(empty);
      toast('Password changed', { description: 'Your other sessions were signed out.' });
    },
  });
  const error = change.error ? describeError(change.error) : undefined;
  const fieldErrors = error?.fieldErrors ?? {};
  const hasFieldError = Object.keys(fieldErrors).length > 0;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const different = values.newPassword !== values.repeat;
    setMismatch(different);
    if (different) return;
    change.mutate({ currentPassword: values.currentPassword, newPassword: values.newPassword });
  };
  const set = (key: keyof Values) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [key]: e.target.value }));
  };

  return (
    <Card title="Password">
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {error && !hasFieldError ? <ErrorNotice error={error} /> : null}
        <Field label="Current password" name="currentPassword" fieldErrors={fieldErrors} required>
          <Input
            type="password"
            autoComplete="current-password"
            value={values.currentPassword}
            onChange={set('currentPassword')}
          />
        </Field>
        <Field
          label="New password"
          name="newPassword"
          fieldErrors={fieldErrors}
          hint="At least 8 characters. Your other sessions will be signed out."
          required
        >
          <Input type="password" autoComplete="new-password" value={values.newPassword} onChange={set('newPassword')} />
        </Field>
        <Field
          label="Repeat the new password"
          error={mismatch ? 'The two passwords are not the same.' : undefined}
          required
        >
          <Input type="password" autoComplete="new-password" value={values.repeat} onChange={set('repeat')} />
        </Field>
        <Button type="submit" variant="primary" loading={change.isPending}>
          Change password
        </Button>
      </form>
    </Card>
  );
}
