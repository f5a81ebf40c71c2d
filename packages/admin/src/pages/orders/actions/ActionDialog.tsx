import { type FormEvent, type ReactNode, useId, useRef, useState } from 'react';
import { type DescribedError, describeError } from '../../../api/errors';
import {
  Button,
  type ButtonProps,
  ConflictNotice,
  Dialog,
  DialogClose,
  ErrorNotice,
  useToast,
} from '../../../components/ui';

export interface ActionDialogProps {
  /** The button that opens the dialog (its label names the action). */
  label: string;
  triggerVariant?: ButtonProps['variant'];
  triggerSize?: ButtonProps['size'];
  title: ReactNode;
  description?: ReactNode;
  submitLabel: string;
  submitVariant?: ButtonProps['variant'];
  wide?: boolean;
  /** The fields, given the server's field errors of the last attempt. */
  children?: (fieldErrors: Record<string, string>) => ReactNode;
  /**
   * Runs the action (a useApiMutation's mutateAsync). Return a string to refuse locally (a check before any call);
   * throw to show the server's answer. Resolving closes the dialog and shows `done` as a toast.
   */
  onSubmit: () => Promise<unknown>;
  /** The toast after success. */
  done: string;
  /** Re-reads the order (the conflict notice's Reload). */
  onReload: () => unknown;
  /** Called when the dialog opens (reset the form to the order as it is now). */
  onOpen?: () => void;
  /** A message shown above the buttons that stops submission (e.g. "choose at least one line"). */
  invalid?: string | undefined;
}

/**
 * One order action in a dialog: the form, the server's field errors next to their fields, any other refusal as a
 * notice (a 412 as "changed by someone else — reload"), a submit button that is busy while the call is pending —
 * useApiMutation also joins a second click to the pending call with the same Idempotency-Key.
 */
export function ActionDialog(props: ActionDialogProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DescribedError | undefined>(undefined);
  const [tried, setTried] = useState(false);
  // A click that lands after success but before the dialog closes must not start a second intent.
  const finished = useRef(false);
  const toast = useToast();
  const formId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (busy || finished.current || props.invalid) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit();
      finished.current = true;
      setOpen(false);
      toast(props.done);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          finished.current = false;
          setError(undefined);
          setTried(false);
          props.onOpen?.();
        }
      }}
      wide={props.wide}
      trigger={
        <Button variant={props.triggerVariant ?? 'secondary'} size={props.triggerSize ?? 'md'}>
          {props.label}
        </Button>
      }
      title={props.title}
      description={props.description}
      footer={
        <>
          <DialogClose asChild>
            <Button disabled={busy}>Cancel</Button>
          </DialogClose>
          <Button type="submit" form={formId} variant={props.submitVariant ?? 'primary'} loading={busy}>
            {props.submitLabel}
          </Button>
        </>
      }
    >
      <form id={formId} noValidate onSubmit={submit} className="space-y-4">
        {props.children?.(error?.fieldErrors ?? {})}
        {tried && props.invalid ? (
          <p role="alert" className="text-sm text-red-700">
            {props.invalid}
          </p>
        ) : null}
        {error ? (
          error.conflict ? (
            <ConflictNotice
              detail={error.detail}
              onReload={() => {
                setOpen(false);
                props.onReload();
              }}
            />
          ) : (
            <ErrorNotice error={error} />
          )
        ) : null}
      </form>
    </Dialog>
  );
}
