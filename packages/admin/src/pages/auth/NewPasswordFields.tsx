import { Field, Input } from '../../components/ui';

export interface NewPassword {
  password: string;
  repeat: string;
}

/** The typing check only (the server decides the policy): both fields say the same. */
export function repeatError(value: NewPassword, submitted: boolean): string | undefined {
  return submitted && value.repeat !== value.password ? 'The two passwords are not the same.' : undefined;
}

/**
 * A new password typed twice. `error` is the server's message for it (length, a too-common password), shown next to
 * the field.
 */
export function NewPasswordFields({
  value,
  onChange,
  error,
  submitted,
  label = 'New password',
}: {
  value: NewPassword;
  onChange: (value: NewPassword) => void;
  error: string | undefined;
  submitted: boolean;
  label?: string;
}) {
  return (
    <>
      <Field
        label={label}
        hint="At least 8 characters; a few unrelated words are easy to remember."
        error={error}
        required
      >
        <Input
          type="password"
          name="new-password"
          autoComplete="new-password"
          value={value.password}
          onChange={(e) => onChange({ ...value, password: e.target.value })}
        />
      </Field>
      <Field label="Repeat the password" error={repeatError(value, submitted)} required>
        <Input
          type="password"
          name="repeat-password"
          autoComplete="new-password"
          value={value.repeat}
          onChange={(e) => onChange({ ...value, repeat: e.target.value })}
        />
      </Field>
    </>
  );
}
