import { DropdownMenu as M, Tabs as T } from 'radix-ui';
import type { ReactNode } from 'react';
import { buttonClass } from './Button';
import { cx } from './cx';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
  disabled?: boolean;
}

/** A menu of actions behind one button (Radix DropdownMenu: arrow keys, typeahead, Escape). */
export function DropdownMenu({
  label,
  items,
  align = 'end',
}: {
  label: ReactNode;
  items: MenuItem[];
  align?: 'start' | 'end';
}) {
  return (
    <M.Root>
      <M.Trigger className={buttonClass('secondary', 'md')}>{label}</M.Trigger>
      <M.Portal>
        <M.Content
          align={align}
          sideOffset={4}
          className="z-50 min-w-44 rounded-md border border-gray-200 bg-white p-1 shadow-lg"
        >
          {items.map((item) => (
            <M.Item
              key={item.label}
              disabled={item.disabled}
              onSelect={item.onSelect}
              className={cx(
                'cursor-pointer rounded px-3 py-2 text-sm outline-none data-[disabled]:opacity-50 data-[highlighted]:bg-gray-100',
                item.danger ? 'text-red-700' : 'text-gray-800',
              )}
            >
              {item.label}
            </M.Item>
          ))}
        </M.Content>
      </M.Portal>
    </M.Root>
  );
}

export interface TabItem {
  value: string;
  label: ReactNode;
  content: ReactNode;
}

/** Tabs (Radix): arrow keys move between tabs. Controlled when `value` is given (e.g. kept in the URL). */
export function Tabs({
  tabs,
  value,
  defaultValue,
  onValueChange,
  label,
}: {
  tabs: TabItem[];
  value?: string;
  defaultValue?: string;
  onValueChange?: (value: string) => void;
  label: string;
}) {
  return (
    <T.Root value={value} defaultValue={defaultValue ?? tabs[0]?.value} onValueChange={onValueChange}>
      <T.List aria-label={label} className="flex gap-1 overflow-x-auto border-b border-gray-200">
        {tabs.map((t) => (
          <T.Trigger
            key={t.value}
            value={t.value}
            className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm font-medium whitespace-nowrap text-gray-700 hover:text-gray-900 data-[state=active]:border-accent-600 data-[state=active]:text-accent-700"
          >
            {t.label}
          </T.Trigger>
        ))}
      </T.List>
      {tabs.map((t) => (
        <T.Content key={t.value} value={t.value} className="pt-4">
          {t.content}
        </T.Content>
      ))}
    </T.Root>
  );
}
