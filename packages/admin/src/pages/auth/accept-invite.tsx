import { useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { useSession } from '../../api/session';
import { Button, ErrorNotice, Field, Input } from '../../components/ui';
import type { SearchParams } from '../../router';
import { type NewPassword, NewPasswordFields, repeatError } from './NewPasswordFields';
import { AuthHeading, AuthLink, publicApi } from './shared';

interface AcceptVars {
  token: string;
  password: string;
  name?: string;
}

/**
 * The link from an invitation email (`?token=`): the new member sets their name and password and is signed in —
 * straight to two-factor enrolment when their role requires it.
 */
export default function AcceptInvitePage() {
  const { token = '' } = useSearch({ strict: false }) as SearchParams;
  const session = useSession();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [value, setValue] = useState<NewPassword>({ password: '', repeat: '' });
  const [submitted, setSubmitted] = useState(false);
  const accept = useApiMutation<{ token: string }, AcceptVars>({
    mutationFn: async (body) => (await publicApi.POST('/v1/admin/staff/invites/accept', { body })).data,
    onSuccess: async (done) => {
      const me = await session.signIn(done.token);
      await navigate({ to: me.mfaEnrolmentRequired ? '/mfa-setup' : '/', replace: true });
    },
  });

  const error = accept.error ? describeError(accept.error) : undefined;
  const badToken = error?.code === 'INVALID_TOKEN' || !token;
  const passwordError = error?.fieldErrors['/body/password'];
  const nameError = error?.fieldErrors['/body/name'];

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (repeatError(value, true)) return;
    const vars: AcceptVars = { token, password: value.password };
    if (name.trim()) vars.name = name.trim();
    accept.mutate(vars);
  };

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <AuthHeading title="Join your team">Choose the name your team sees and a password to sign in with.</AuthHeading>
      {badToken ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">
          <p className="font-semibold">{token ? 'This invitation no longer works' : 'This link is incomplete'}</p>
          <p className="mt-1">
            Invitations work once, for 7 days, and a new invitation replaces the old one. Ask the person who invited you
            to send a fresh one.
          </p>
        </div>
      ) : error && !passwordError && !nameError ? (
        <ErrorNotice error={error} />
      ) : null}
      <Field
        label="Your name"
        hint="Optional: leave it empty to keep the name you were invited with."
        error={nameError}
      >
        <Input name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      </Field>
      <NewPasswordFields
        label="Password"
        value={value}
        onChange={setValue}
        error={passwordError}
        submitted={submitted}
      />
      <Button
        type="submit"
        variant="primary"
        className="w-full"
        loading={accept.isPending || accept.isSuccess}
        disabled={!token}
      >
        Accept invitation
      </Button>
      <p className="text-center">
        <AuthLink to="/sign-in">Already joined? Sign in</AuthLink>
      </p>
    </form>
  );
}
