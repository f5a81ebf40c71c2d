import type { ReactNode } from 'react';
import type { DescribedError } from '../api/errors';
import { Button, type ButtonVariant, DialogClose, Field, Input } from './ui';

/** Spaces are allowed while typing a code (apps show "123 456"); the API wants it without them. */
export const codeWithoutSpaces = (code: string) => code.replace(/\s+/g, '');

/** The one-time code input: a TOTP code from the authenticator app (or a recovery code), filled in by the browser. */
export function CodeField({
  label,
  error,
  value,
  onChange,
  numeric = false,
}: {
  label: ReactNode;
  error: string | undefined;
  value: string;
  onChange: (code: string) => void;
  /** Only app codes are accepted (no recovery codes): phones show the number pad. */
  numeric?: boolean;
}) {
  return (
    <Field label={label} error={error} required>
      <Input
        name="code"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoComplete="one-time-code"
        inputMode={numeric ? 'numeric' : undefined}
        spellCheck={false}
      />
    </Field>
  );
}

/** A wrong code gets a plain sentence; any other failure shows next to the field too (the form has nothing else). */
function codeErrorOf(error: DescribedError | undefined): string | undefined {
  if (!error) return undefined;
  if (error.code === 'INVALID_MFA_CODE') return 'That code is wrong, expired or already used.';
  return error.fieldErrors['/body/code'] ?? error.detail ?? error.title;
}

/**
 * "Confirm it is you" inside a dialog: a current code from the app or a recovery code, then Cancel / the action.
 * The code is kept by the caller (so it can clear it after success); it is sent without spaces.
 */
export function CodeConfirmForm({
  code,
  onCodeChange,
  error,
  pending,
  submitLabel,
  submitVariant,
  onSubmit,
}: {
  code: string;
  onCodeChange: (code: string) => void;
  error: DescribedError | undefined;
  pending: boolean;
  submitLabel: string;
  submitVariant: ButtonVariant;
  onSubmit: (code: string) => void;
}) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(codeWithoutSpaces(code));
      }}
      noValidate
      className="space-y-4"
    >
      <CodeField label="Code" error={codeErrorOf(error)} value={code} onChange={onCodeChange} />
      <div className="flex flex-wrap justify-end gap-2">
        <DialogClose asChild>
          <Button disabled={pending}>Cancel</Button>
        </DialogClose>
        <Button type="submit" variant={submitVariant} loading={pending}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
