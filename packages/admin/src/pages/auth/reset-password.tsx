import { useSearch } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Button, ErrorNotice } from '../../components/ui';
import type { SearchParams } from '../../router';
import { type NewPassword, NewPasswordFields, repeatError } from './NewPasswordFields';
import { AuthHeading, AuthLink, publicApi } from './shared';

/** The link from the reset email (`?token=`): choose a new password. Every session of the member ends. */
export default function ResetPasswordPage() {
  const { token = '' } = useSearch({ strict: false }) as SearchParams;
  const [value, setValue] = useState<NewPassword>({ password: '', repeat: '' });
  const [submitted, setSubmitted] = useState(false);
  const reset = useApiMutation<unknown, { token: string; password: string }>({
    mutationFn: async (body) => (await publicApi.POST('/v1/admin/auth/password-reset/confirm', { body })).data,
  });

  if (reset.isSuccess) {
    return (
      <div>
        <AuthHeading title="Password changed" />
        <p role="status" className="text-sm text-gray-800">
          Your new password is set and every session of your account has been signed out. Sign in with the new password{' '}
          — two-factor authentication still applies.
        </p>
        <p className="mt-5 text-center">
          <AuthLink to="/sign-in">Sign in</AuthLink>
        </p>
      </div>
    );
  }

  const error = reset.error ? describeError(reset.error) : undefined;
  const badToken = error?.code === 'INVALID_TOKEN' || !token;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (repeatError(value, true)) return;
    reset.mutate({ token, password: value.password });
  };

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <AuthHeading title="Choose a new password">Set the password you will sign in with from now on.</AuthHeading>
      {badToken ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
          <p className="font-semibold">{token ? 'This link no longer works' : 'This link is incomplete'}</p>
          <p className="mt-1">
            Reset links work once, for 30 minutes. <AuthLink to="/forgot-password">Ask for a new link</AuthLink>.
          </p>
        </div>
      ) : error && !error.fieldErrors['/body/password'] ? (
        <ErrorNotice error={error} />
      ) : null}
      <NewPasswordFields
        value={value}
        onChange={setValue}
        error={error?.fieldErrors['/body/password']}
        submitted={submitted}
      />
      <Button type="submit" variant="primary" className="w-full" loading={reset.isPending} disabled={!token}>
        Set new password
      </Button>
      <p className="text-center">
        <AuthLink to="/sign-in">Back to sign in</AuthLink>
      </p>
    </form>
  );
}
