import { Dialog as D } from 'radix-ui';
import { type ReactNode, useState } from 'react';
import { type DescribedError, describeError } from '../../api/errors';
import { Button, type ButtonVariant } from './Button';
import { ErrorNotice } from './notices';

export interface DialogProps {
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  /** The element that opens the dialog (wrapped in Radix's Trigger). */
  trigger?: ReactNode;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  /** Buttons at the bottom (right-aligned). */
  footer?: ReactNode;
  wide?: boolean;
}

/** A modal dialog (Radix): focus trapped, Escape closes, title and description announced. */
export function Dialog({ open, onOpenChange, trigger, title, description, children, footer, wide }: DialogProps) {
  return (
    <D.Root open={open} onOpenChange={onOpenChange}>
      {trigger ? <D.Trigger asChild>{trigger}</D.Trigger> : null}
      <D.Portal>
        <D.Overlay className="fixed inset-0 z-40 bg-gray-900/40" />
        <D.Content
          className={`fixed top-1/2 left-1/2 z-50 max-h-[90vh] w-[calc(100vw-2rem)] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-5 shadow-xl ${wide ? 'max-w-2xl' : 'max-w-md'}`}
        >
          <D.Title className="text-lg font-semibold text-gray-900">{title}</D.Title>
          {description ? (
            <D.Description className="mt-1 text-sm text-gray-700">{description}</D.Description>
          ) : (
            <D.Description className="sr-only">{title}</D.Description>
          )}
          <div className="mt-4 space-y-4">{children}</div>
          {footer ? <div className="mt-5 flex flex-wrap justify-end gap-2">{footer}</div> : null}
        </D.Content>
      </D.Portal>
    </D.Root>
  );
}

export interface FormDialogProps {
  title: ReactNode;
  /** The form's id (the footer's submit button sits outside the form and names it). */
  formId: string;
  submitLabel: string;
  pending: boolean;
  /** The failed save: shown above the fields unless it names fields (each shows next to its own). */
  error: DescribedError | undefined;
  onClose: () => void;
  onSubmit: () => void;
  children: ReactNode;
}

/** An edit form in a dialog: Cancel / submit in the footer, the form's general error on top. */
export function FormDialog({
  title,
  formId,
  submitLabel,
  pending,
  error,
  onClose,
  onSubmit,
  children,
}: FormDialogProps) {
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={title}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={pending}>
            {submitLabel}
          </Button>
        </>
      }
    >
      <form
        id={formId}
        noValidate
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        {error && Object.keys(error.fieldErrors ?? {}).length === 0 ? <ErrorNotice error={error} /> : null}
        {children}
      </form>
    </Dialog>
  );
}

/** Closes the dialog it is in (for Cancel buttons). */
export const DialogClose = D.Close;

export interface ConfirmDialogProps {
  trigger: ReactNode;
  title: ReactNode;
  description?: ReactNode;
  confirmLabel?: string;
  variant?: ButtonVariant;
  /** Runs on confirm; the dialog stays open with the error if it throws, and closes when it resolves. */
  onConfirm: () => Promise<unknown> | unknown;
  children?: ReactNode;
}

/** "Are you sure?" before a destructive or irreversible action; shows the failure in place. */
export function ConfirmDialog({
  trigger,
  title,
  description,
  confirmLabel = 'Confirm',
  variant = 'danger',
  onConfirm,
  children,
}: ConfirmDialogProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      setOpen(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) setError(undefined);
      }}
      trigger={trigger}
      title={title}
      description={description}
      footer={
        <>
          <DialogClose asChild>
            <Button disabled={busy}>Cancel</Button>
          </DialogClose>
          <Button variant={variant} loading={busy} onClick={confirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
      {error ? <ErrorNotice error={describeError(error)} /> : null}
    </Dialog>
  );
}
