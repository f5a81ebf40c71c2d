import type { ReactNode } from 'react';
import { Input } from '../../../components/ui';

export interface QuantityRow {
  id: string;
  sku: string;
  title: string;
  variantTitle?: string;
  /** How many can be chosen, as the order says (left to fulfil, shipped and not returned…). */
  available: number;
  availableLabel: string;
}

/**
 * One quantity input per line, each labelled with its line (phones: rows stack, no sideways scroll). Used by the
 * fulfil, return and receive dialogs.
 */
export function QuantityTable({
  caption,
  rows,
  values,
  onChange,
  errorFor,
  extra,
}: {
  caption: string;
  rows: QuantityRow[];
  values: Record<string, string>;
  onChange: (id: string, value: string) => void;
  errorFor?: (id: string) => string | undefined;
  /** More controls for a row (reason, restock…). */
  extra?: (row: QuantityRow) => ReactNode;
}) {
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-gray-800">{caption}</legend>
      <ul className="divide-y divide-gray-100 rounded-md border border-gray-200">
        {rows.map((row) => {
          const inputId = `qty-${row.id}`;
          const error = errorFor?.(row.id);
          return (
            <li key={row.id} className="space-y-2 p-3">
              <div className="flex flex-wrap items-center justify-between gap-3">
                <label htmlFor={inputId} className="min-w-0 flex-1 text-sm">
                  <span className="block font-medium break-words text-gray-900">{row.title}</span>
                  <span className="block text-gray-700">
                    {[row.variantTitle, row.sku].filter(Boolean).join(' · ')} — {row.available} {row.availableLabel}
                  </span>
                </label>
                <Input
                  id={inputId}
                  className="w-24"
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={row.available}
                  step={1}
                  value={values[row.id] ?? ''}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `${inputId}-error` : undefined}
                  onChange={(e) => onChange(row.id, e.target.value)}
                />
              </div>
              {extra?.(row)}
              {error ? (
                <p id={`${inputId}-error`} className="text-sm text-red-700">
                  {error}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}

/**
 * The server's error for field `field` of the `index`-th line of the body we sent: validation names it
 * `/body/lines/i/…`, some business rules `/lines/i/…`.
 */
export function lineError(errors: Record<string, string>, index: number, ...fields: string[]): string | undefined {
  if (index < 0) return undefined;
  for (const field of fields) {
    const found = errors[`/body/lines/${index}/${field}`] ?? errors[`/lines/${index}/${field}`];
    if (found) return found;
  }
  return undefined;
}
