import { BackroomError } from '@backroom/client';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { useSession } from '../../api/session';
import { Button, ErrorNotice, Field, Input, Spinner } from '../../components/ui';
import { AuthHeading, AuthLink, LinkButton, useGoNext, useNext } from './shared';

type Step = 'password' | 'code';

interface LoginVars {
  email: string;
  password: string;
  code?: string;
}

const isMfaRequired = (error: unknown) => error instanceof BackroomError && error.code === 'MFA_REQUIRED';

/**
 * Sign in: email and password, then — when the member has two-factor authentication — a code from the
 * authenticator app or one of the recovery codes. Afterwards to `?next=` (inside the app only) or home; a member
 * whose role requires MFA and who has none yet goes to enrolment first.
 */
export default function SignInPage() {
  const session = useSession();
  const navigate = useNavigate();
  const next = useNext();
  const goNext = useGoNext();
  const [step, setStep] = useState<Step>('password');
  const [recovery, setRecovery] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [emptyCode, setEmptyCode] = useState(false);
  const codeInput = useRef<HTMLInputElement>(null);
  const signingIn = useRef(false);

  // Already signed in (or a stored session): no form, straight on.
  useEffect(() => {
    if (signingIn.current) return;
    if (session.status === 'signed-in') void goNext(next);
    if (session.status === 'mfa-enrolment') void navigate({ to: '/mfa-setup', search: { next } as never });
  }, [session.status, goNext, navigate, next]);

  const login = useApiMutation<Awaited<ReturnType<typeof api.loginStaff>>, LoginVars>({
    // Not deduplicated by the server (the answer is a secret): the key is not sent.
    mutationFn: (vars) => api.loginStaff(vars),
    onSuccess: async ({ token }) => {
      signingIn.current = true;
      try {
        const me = await session.signIn(token);
        if (me.mfaEnrolmentRequired) await navigate({ to: '/mfa-setup', search: { next } as never, replace: true });
        else await goNext(next);
      } finally {
        signingIn.current = false;
      }
    },
    onError: (error, vars) => {
      if (isMfaRequired(error) && vars.code === undefined) setStep('code');
    },
  });

  useEffect(() => {
    if (step === 'code') codeInput.current?.focus();
  }, [step]);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const vars: LoginVars = { email: email.trim(), password };
    if (step === 'code') {
      vars.code = code.replace(/\s+/g, '');
      setEmptyCode(vars.code === '');
      if (vars.code === '') return codeInput.current?.focus();
    }
    login.mutate(vars);
  };

  if (session.status !== 'signed-out') return <Spinner label="Signing in" />;

  const described = login.error ? describeError(login.error) : undefined;
  // MFA_REQUIRED after the password moves to the code step; after a code it means the code was not accepted.
  const mfaAnswer = isMfaRequired(login.error);
  const notice = described && !mfaAnswer ? <ErrorNotice error={described} /> : null;
  let codeError = emptyCode ? 'Enter the code.' : undefined;
  if (step === 'code' && mfaAnswer && login.variables?.code !== undefined) {
    codeError = recovery
      ? 'That recovery code is wrong or has already been used.'
      : 'That code is wrong or expired. Enter the current code from your app.';
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      {step === 'password' ? (
        <>
          <AuthHeading title="Sign in">Sign in to your shop’s admin.</AuthHeading>
          {notice}
          <Field label="Email" name="email" fieldErrors={described?.fieldErrors} required>
            <Input
              type="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              autoFocus
            />
          </Field>
          <Field label="Password" name="password" fieldErrors={described?.fieldErrors} required>
            <Input
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
          <Button type="submit" variant="primary" className="w-full" loading={login.isPending}>
            Sign in
          </Button>
          <p className="text-center">
            <AuthLink to="/forgot-password">Forgot your password?</AuthLink>
          </p>
        </>
      ) : (
        <>
          <AuthHeading title="Two-factor authentication">
            {recovery
              ? 'Enter one of the recovery codes you saved when you set up two-factor authentication. Each code works once.'
              : 'Enter the 6-digit code from your authenticator app.'}
          </AuthHeading>
          {notice}
          <Field
            label={recovery ? 'Recovery code' : 'Authentication code'}
            error={codeError ?? described?.fieldErrors['/body/code']}
            required
          >
            <Input
              ref={codeInput}
              name="code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoComplete="one-time-code"
              inputMode={recovery ? 'text' : 'numeric'}
              spellCheck={false}
              autoCapitalize="off"
            />
          </Field>
          <Button type="submit" variant="primary" className="w-full" loading={login.isPending}>
            Verify and sign in
          </Button>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <LinkButton
              onClick={() => {
                setRecovery((r) => !r);
                setCode('');
                login.reset();
                codeInput.current?.focus();
              }}
            >
              {recovery ? 'Use your authenticator app' : 'Use a recovery code'}
            </LinkButton>
            <LinkButton
              onClick={() => {
                setStep('password');
                setRecovery(false);
                setCode('');
                login.reset();
              }}
            >
              Back
            </LinkButton>
          </div>
        </>
      )}
    </form>
  );
}
