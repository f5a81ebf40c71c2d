import { type FormEvent, useState } from 'react';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Button, ErrorNotice, Field, Input } from '../../components/ui';
import { AuthHeading, AuthLink, publicApi } from './shared';

/**
 * Ask for a password-reset email. The answer is the same whether or not the address belongs to a member, so the page
 * never tells who has an account.
 */
export default function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const request = useApiMutation<unknown, string>({
    mutationFn: async (address) =>
      (await publicApi.POST('/v1/admin/auth/password-reset', { body: { email: address } })).data,
  });

  if (request.isSuccess) {
    return (
      <div>
        <AuthHeading title="Check your email" />
        <p role="status" className="text-sm text-gray-800">
          If <strong className="break-all">{request.variables}</strong> belongs to a staff account, we have sent it a
          link to choose a new password. The link works once, for 30 minutes.
        </p>
        <p className="mt-5 text-center">
          <AuthLink to="/sign-in">Back to sign in</AuthLink>
        </p>
      </div>
    );
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    request.mutate(email.trim());
  };
  const error = request.error ? describeError(request.error) : undefined;
  const emailError = error?.fieldErrors['/body/email'];

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <AuthHeading title="Forgot your password?">
        Enter the email you sign in with and we will send you a link to choose a new one.
      </AuthHeading>
      {error && !emailError ? <ErrorNotice error={error} /> : null}
      <Field label="Email" error={emailError} required>
        <Input
          type="email"
          name="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          autoFocus
        />
      </Field>
      <Button type="submit" variant="primary" className="w-full" loading={request.isPending}>
        Send reset link
      </Button>
      <p className="text-center">
        <AuthLink to="/sign-in">Back to sign in</AuthLink>
      </p>
    </form>
  );
}
