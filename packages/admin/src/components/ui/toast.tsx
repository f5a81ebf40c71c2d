import { Toast as T } from 'radix-ui';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { cx } from './cx';

interface ToastMessage {
  id: number;
  title: string;
  description?: string | undefined;
  tone: 'success' | 'error' | 'info';
}

type Notify = (title: string, options?: { description?: string; tone?: ToastMessage['tone'] }) => void;

const ToastContext = createContext<Notify>(() => undefined);

/** `const toast = useToast(); toast('Order captured')` — a short message announced to screen readers. */
export function useToast(): Notify {
  return useContext(ToastContext);
}

let nextId = 1;
/** At most this many at once, newest kept: a burst of actions (or timers paused in a window without focus) never
 * stacks a column of messages over the page. */
const MAX_TOASTS = 3;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [messages, setMessages] = useState<ToastMessage[]>([]);
  const notify = useCallback<Notify>((title, options) => {
    const message = { id: nextId++, title, description: options?.description, tone: options?.tone ?? 'success' };
    setMessages((all) => [...all, message].slice(-MAX_TOASTS));
  }, []);
  const value = useMemo(() => notify, [notify]);
  return (
    <ToastContext.Provider value={value}>
      <T.Provider swipeDirection="right" duration={5000}>
        {children}
        {messages.map((m) => (
          <T.Root
            key={m.id}
            type={m.tone === 'error' ? 'foreground' : 'background'}
            onOpenChange={(open) => {
              if (!open) setMessages((all) => all.filter((x) => x.id !== m.id));
            }}
            className={cx(
              'relative rounded-md border bg-white p-3 pr-9 shadow-lg',
              m.tone === 'error' ? 'border-red-300' : m.tone === 'success' ? 'border-green-300' : 'border-gray-200',
            )}
          >
            <T.Title className="text-sm font-semibold text-gray-900">{m.title}</T.Title>
            {m.description ? (
              <T.Description className="mt-1 text-sm text-gray-700">{m.description}</T.Description>
            ) : null}
            <T.Close
              aria-label="Dismiss"
              className="absolute top-2 right-2 rounded px-1.5 text-base leading-none text-gray-600 hover:bg-gray-100 hover:text-gray-900"
            >
              ×
            </T.Close>
          </T.Root>
        ))}
        <T.Viewport className="fixed right-0 bottom-0 z-[60] m-4 flex w-[min(24rem,calc(100vw-2rem))] flex-col gap-2 outline-none" />
      </T.Provider>
    </ToastContext.Provider>
  );
}
