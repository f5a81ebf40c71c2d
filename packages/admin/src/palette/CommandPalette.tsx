import { Command } from 'cmdk';
import { Dialog as D } from 'radix-ui';

/**
 * Ctrl/Cmd-K: jump to an order by number, a product by title or SKU, a customer by email. Placeholder: its owner
 * fills in the searches (loaded lazily by AppLayout, so cmdk stays out of the initial bundle).
 */
export default function CommandPalette({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  return (
    <D.Root open={open} onOpenChange={onOpenChange}>
      <D.Portal>
        <D.Overlay className="fixed inset-0 z-40 bg-gray-900/40" />
        <D.Content className="fixed top-[15vh] left-1/2 z-50 w-[calc(100vw-2rem)] max-w-lg -translate-x-1/2 rounded-lg bg-white shadow-xl">
          <D.Title className="sr-only">Search</D.Title>
          <D.Description className="sr-only">Jump to an order, a product or a customer</D.Description>
          <Command label="Search">
            <Command.Input
              autoFocus
              placeholder="Order number, product, SKU or email"
              className="w-full border-b border-gray-200 px-4 py-3 text-sm outline-none"
            />
            <Command.List className="max-h-80 overflow-y-auto p-2">
              <Command.Empty className="px-2 py-3 text-sm text-gray-700">Coming soon.</Command.Empty>
            </Command.List>
          </Command>
        </D.Content>
      </D.Portal>
    </D.Root>
  );
}
