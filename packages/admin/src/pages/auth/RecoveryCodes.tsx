import { useId, useState } from 'react';
import { Button, Checkbox, useToast } from '../../components/ui';
import { AuthHeading } from './shared';

function download(codes: string[], email: string | undefined) {
  const text = [
    `Backroom recovery codes${email ? ` for ${email}` : ''}`,
    `Saved ${new Date().toISOString().slice(0, 10)}. Each code signs you in once when you cannot use your app.`,
    '',
    ...codes,
    '',
  ].join('\n');
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'backroom-recovery-codes.txt';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The recovery codes, shown once after enrolment: copy or download them, confirm, then continue. */
export function RecoveryCodes({
  codes,
  email,
  onDone,
}: {
  codes: string[];
  email?: string | undefined;
  onDone: () => void;
}) {
  const toast = useToast();
  const [saved, setSaved] = useState(false);
  const savedId = useId();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(`${codes.join('\n')}\n`);
      toast('Recovery codes copied');
    } catch {
      toast('Could not copy', { tone: 'error', description: 'Select the codes and copy them, or download them.' });
    }
  };

  return (
    <div>
      <AuthHeading title="Save your recovery codes">
        Two-factor authentication is on. If you lose your phone, each of these codes signs you in once instead of a code
        from your app. They are shown only now: keep them somewhere safe, such as a password manager.
      </AuthHeading>
      <ul
        aria-label="Recovery codes"
        className="grid grid-cols-2 gap-x-4 gap-y-1 rounded-md bg-gray-100 px-4 py-3 font-mono text-sm select-all"
      >
        {codes.map((c) => (
          <li key={c} className="text-center">
            {c}
          </li>
        ))}
      </ul>
      <div className="mt-3 grid grid-cols-2 gap-2">
        <Button onClick={() => void copy()}>Copy</Button>
        <Button onClick={() => download(codes, email)}>Download .txt</Button>
      </div>
      <div className="mt-5 flex items-start gap-2">
        <Checkbox id={savedId} className="mt-0.5" checked={saved} onChange={(e) => setSaved(e.target.checked)} />
        <label htmlFor={savedId} className="text-sm text-gray-800">
          I have saved my recovery codes
        </label>
      </div>
      <Button variant="primary" className="mt-4 w-full" disabled={!saved} onClick={onDone}>
        Continue
      </Button>
    </div>
  );
}
