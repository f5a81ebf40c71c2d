import { useNavigate } from '@tanstack/react-router';
import { Command } from 'cmdk';
import { Dialog as D } from 'radix-ui';
import { useEffect, useState } from 'react';
import { useCan } from '../auth/Can';
import { Spinner } from '../components/ui';
import { type Hit, usePaletteSearch } from './search';

/**
 * Ctrl/Cmd-K: jump to an order by number, a product by title or SKU, a customer by email. The server searches (the
 * admin list APIs with `q`, debounced); only the lists the member may read are asked. Arrow keys move, Enter opens,
 * Escape closes (cmdk + Radix Dialog: focus trapped, labelled).
 */
export default function CommandPalette({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const [text, setText] = useState('');
  const [term, setTerm] = useState('');
  const navigate = useNavigate();
  const allowed = {
    orders: useCan('orders:read'),
    products: useCan('catalog:read'),
    customers: useCan('customers:read'),
  };

  // Debounced: one round of searches once typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => setTerm(text.trim()), 250);
    return () => clearTimeout(timer);
  }, [text]);
  useEffect(() => {
    if (!open) {
      setText('');
      setTerm('');
    }
  }, [open]);

  const { groups, loading } = usePaletteSearch(term, allowed, open);
  const go = (hit: Hit) => {
    onOpenChange(false);
    void navigate({ to: hit.href });
  };
  const total = groups.reduce((n, g) => n + g.hits.length, 0);

  return (
    <D.Root open={open} onOpenChange={onOpenChange}>
      <D.Portal>
        <D.Overlay className="fixed inset-0 z-40 bg-gray-900/40" />
        <D.Content className="fixed top-[10vh] left-1/2 z-50 w-[calc(100vw-2rem)] max-w-lg -translate-x-1/2 overflow-hidden rounded-lg bg-white shadow-xl">
          <D.Title className="sr-only">Go to an order, product or customer</D.Title>
          <D.Description className="sr-only">
            Type an order number, a product title or SKU, or a customer's email; use the arrow keys and Enter.
          </D.Description>
          <Command label="Go to an order, product or customer" shouldFilter={false} loop>
            <div className="flex items-center border-b border-gray-200 pr-3">
              <Command.Input
                autoFocus
                value={text}
                onValueChange={setText}
                placeholder="Order number, product, SKU or email"
                className="min-w-0 flex-1 px-4 py-3 text-base outline-none sm:text-sm"
              />
              {loading ? <Spinner label="Searching" /> : null}
            </div>
            {term === '' ? (
              <p className="px-4 py-3 text-sm text-gray-700">
                Type to search. <kbd className="rounded border border-gray-300 px-1 text-xs">↑</kbd>{' '}
                <kbd className="rounded border border-gray-300 px-1 text-xs">↓</kbd> to move,{' '}
                <kbd className="rounded border border-gray-300 px-1 text-xs">Enter</kbd> to open.
              </p>
            ) : !loading && total === 0 ? (
              <p role="status" className="px-4 py-3 text-sm text-gray-700">
                Nothing found for “{term}”.
              </p>
            ) : null}
            {/* A listbox must hold options (axe aria-required-children): hidden until there are hits. */}
            <Command.List className="max-h-[60vh] overflow-y-auto p-2" hidden={total === 0}>
              {groups.map((g) =>
                g.hits.length === 0 ? null : (
                  <Command.Group
                    key={g.label}
                    heading={g.label}
                    className="mb-1 [&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:py-1 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-semibold [&_[cmdk-group-heading]]:text-gray-700"
                  >
                    {g.hits.map((hit) => (
                      <Command.Item
                        key={hit.href}
                        value={hit.href}
                        onSelect={() => go(hit)}
                        className="flex cursor-pointer flex-col rounded-md px-2 py-2 text-sm text-gray-900 data-[selected=true]:bg-accent-50 data-[selected=true]:text-accent-800"
                      >
                        <span className="font-medium break-words">{hit.title}</span>
                        {hit.subtitle ? (
                          <span className="text-xs break-words text-gray-700">{hit.subtitle}</span>
                        ) : null}
                      </Command.Item>
                    ))}
                  </Command.Group>
                ),
              )}
            </Command.List>
          </Command>
        </D.Content>
      </D.Portal>
    </D.Root>
  );
}
