import { type ReactNode, useId } from 'react';
import { Checkbox } from '../../../components/ui';

/** A checkbox with its label beside it (label tied to the box by id, so a click on the text toggles it). */
export function CheckboxLine({
  checked,
  onChange,
  children,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <div className="flex items-center gap-2 text-sm text-gray-800">
      <Checkbox id={id} checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{children}</label>
    </div>
  );
}
