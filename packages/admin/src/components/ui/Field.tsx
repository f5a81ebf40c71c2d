import { cloneElement, isValidElement, type ReactElement, type ReactNode, useId } from 'react';
import { fieldError } from '../../api/errors';
import { cx } from './cx';

export interface FieldProps {
  label: ReactNode;
  /** One control (Input, Select, Textarea…): gets the id, aria-describedby and aria-invalid. */
  children: ReactElement<Record<string, unknown>>;
  hint?: ReactNode;
  /** The error to show, or the server's field errors plus `name` (a body field, `/body/<name>`). */
  error?: string | undefined;
  fieldErrors?: Record<string, string>;
  name?: string;
  required?: boolean;
  className?: string;
}

/** A label, a control, a hint and the server's error for that field, wired for screen readers. */
export function Field({ label, children, hint, error, fieldErrors, name, required, className }: FieldProps) {
  const id = useId();
  const message = error ?? (fieldErrors && name ? fieldError(fieldErrors, name) : undefined);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = message ? `${id}-error` : undefined;
  const control = isValidElement(children)
    ? cloneElement(children, {
        id,
        name: children.props.name ?? name,
        required: children.props.required ?? required,
        'aria-invalid': message ? true : undefined,
        'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') || undefined,
      })
    : children;
  return (
    <div className={cx('space-y-1', className)}>
      <label htmlFor={id} className="block text-sm font-medium text-gray-800">
        {label}
        {required ? (
          <span aria-hidden="true" className="text-red-700">
            {' '}
            *
          </span>
        ) : null}
      </label>
      {control}
      {hint ? (
        <p id={hintId} className="text-sm text-gray-600">
          {hint}
        </p>
      ) : null}
      {message ? (
        <p id={errorId} className="text-sm text-red-700">
          {message}
        </p>
      ) : null}
    </div>
  );
}
