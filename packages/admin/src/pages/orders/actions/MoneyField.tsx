import { Field, Input } from '../../../components/ui';

/**
 * An amount typed in the currency's major unit ("12.50"), sent as minor units (see money-input.ts). `error` is
 * the local parse error or the server's field error for the amount.
 */
export function MoneyField({
  label,
  value,
  onChange,
  currency,
  error,
  hint,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  currency: string;
  error?: string | undefined;
  hint?: string;
}) {
  return (
    <Field label={`${label} (${currency})`} error={error} hint={hint} required>
      <Input inputMode="decimal" autoComplete="off" value={value} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
}
