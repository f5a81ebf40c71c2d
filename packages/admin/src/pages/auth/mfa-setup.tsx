import { useNavigate } from '@tanstack/react-router';
import QRCode from 'qrcode';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { meQueryKey, useSession } from '../../api/session';
import { CodeField, codeWithoutSpaces } from '../../components/CodeConfirmForm';
import { Button, ErrorNotice, Spinner } from '../../components/ui';
import { RecoveryCodes } from './RecoveryCodes';
import { AuthHeading, useGoNext, useNext } from './shared';

interface Enrolment {
  otpauthUri: string;
  secret: string;
}

/** The secret in groups of four, easier to type into an app by hand (apps ignore the spaces). */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

/** The otpauth URI as a QR code image (an SVG data URL: the CSP allows `img-src data:`, no markup is injected). */
function useQrCode(uri: string | undefined): string | undefined {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    if (!uri) return;
    let live = true;
    QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).then(
      (svg) => live && setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`),
      () => live && setSrc(undefined),
    );
    return () => {
      live = false;
    };
  }, [uri]);
  return src;
}

/**
 * Two-factor enrolment: a new TOTP secret (QR code plus the secret as text), confirmed with a code from the app; then
 * the ten recovery codes, shown once, to copy or download before going on. Reached after sign-in when the role
 * requires MFA, or from the account page.
 */
export default function MfaSetupPage() {
  const session = useSession();
  const navigate = useNavigate();
  const next = useNext();
  const goNext = useGoNext();
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();
  const started = useRef(false);

  const start = useApiMutation<Enrolment>({
    // The answer is a secret: the server does not deduplicate it, so no key is sent.
    mutationFn: async () => (await api.POST('/v1/admin/staff/me/mfa')).data,
  });
  const confirm = useApiMutation<{ recoveryCodes: string[] }, string>({
    mutationFn: async (c) => (await api.POST('/v1/admin/staff/me/mfa/confirm', { body: { code: c } })).data,
    invalidate: [meQueryKey],
    onSuccess: (done) => setRecoveryCodes(done.recoveryCodes),
  });

  const alreadyOn = session.me?.mfaEnabled === true && !recoveryCodes && !confirm.isPending;
  useEffect(() => {
    if (session.status === 'signed-out') {
      void navigate({ to: '/sign-in', replace: true });
    }
    // One enrolment per visit (React's strict mode runs effects twice; a second secret would replace the first).
    if (session.me && !session.me.mfaEnabled && !started.current) {
      started.current = true;
      start.mutate();
    }
  }, [session.status, session.me, navigate, start]);

  const qr = useQrCode(start.data?.otpauthUri);

  if (recoveryCodes) {
    return <RecoveryCodes codes={recoveryCodes} email={session.me?.email} onDone={() => void goNext(next)} />;
  }
  if (alreadyOn) {
    return (
      <div>
        <AuthHeading title="Two-factor authentication is on">
          Your account already asks for a code from your authenticator app at sign-in.
        </AuthHeading>
        <Button variant="primary" className="w-full" onClick={() => void goNext(next)}>
          Continue
        </Button>
      </div>
    );
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    confirm.mutate(codeWithoutSpaces(code));
  };
  const confirmError = confirm.error ? describeError(confirm.error) : undefined;
  const codeError =
    confirmError?.code === 'INVALID_MFA_CODE'
      ? 'That code is wrong or expired. Enter the current code from your app.'
      : confirmError?.fieldErrors['/body/code'];

  return (
    <div>
      <AuthHeading title="Set up two-factor authentication">
        {session.me?.mfaEnrolmentRequired
          ? 'Your role requires a second step at sign-in. '
          : 'Protect your account with a second step at sign-in. '}
        Scan the QR code with an authenticator app (1Password, Google Authenticator, Authy…), then enter the code it
        shows.
      </AuthHeading>
      {start.error ? (
        <ErrorNotice
          error={describeError(start.error)}
          action={
            <Button size="sm" onClick={() => start.mutate()}>
              Try again
            </Button>
          }
        />
      ) : null}
      {start.data ? (
        <form onSubmit={onSubmit} noValidate className="space-y-4">
          <div className="flex justify-center">
            {qr ? (
              <img
                src={qr}
                alt="QR code to add this account to your authenticator app"
                width={192}
                height={192}
                className="size-48 rounded border border-gray-200"
              />
            ) : (
              <div className="flex size-48 items-center justify-center">
                <Spinner label="Drawing the QR code" />
              </div>
            )}
          </div>
          <div>
            <p className="text-sm text-gray-700">Cannot scan it? Enter this key in the app instead:</p>
            <p className="mt-1 rounded-md bg-gray-100 px-3 py-2 text-center font-mono text-base break-words select-all">
              <code data-secret={start.data.secret}>{grouped(start.data.secret)}</code>
            </p>
          </div>
          {confirmError && !codeError ? <ErrorNotice error={confirmError} /> : null}
          <CodeField label="Code from the app" error={codeError} value={code} onChange={setCode} numeric />
          <Button type="submit" variant="primary" className="w-full" loading={confirm.isPending}>
            Turn on two-factor authentication
          </Button>
        </form>
      ) : start.error ? null : (
        <div className="flex justify-center py-6">
          <Spinner label="Preparing your secret key" />
        </div>
      )}
      <div className="mt-4 text-center">
        <Button variant="ghost" size="sm" onClick={() => void session.signOut()}>
          Sign out
        </Button>
      </div>
    </div>
  );
}
