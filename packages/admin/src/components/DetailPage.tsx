import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { describeError } from '../api/errors';
import { useCan } from '../auth/Can';
import { Button, ConfirmDialog, ConflictNotice, ErrorNotice, PageHeader, Spinner } from './ui';
import type { DetailForm } from './useDetailForm';

/** What the shell needs of a `useDetailForm` result: none of it depends on the form's value type. */
export type DetailPageForm = Pick<
  DetailForm<unknown>,
  'dirty' | 'saving' | 'submit' | 'reset' | 'error' | 'conflict' | 'resetOnNextLoad'
>;

export interface DetailPageProps {
  title: ReactNode;
  description?: ReactNode;
  /** The list to go back to. */
  back?: { to: string; label: string };
  /** Buttons in the header (wrap each in <Can>). */
  actions?: ReactNode;
  /** The page's main query state. */
  loading?: boolean;
  error?: unknown;
  /** Re-reads the resource (the query's refetch). */
  onReload?: () => Promise<unknown> | unknown;
  /**
   * When set, the children are a form: a sticky save bar appears when dirty; 412 shows the conflict notice. Only the
   * form's state is read (not its values), so any `useDetailForm` result fits.
   */
  form?: DetailPageForm;
  /** A delete button with a confirmation (hidden without the permission). */
  onDelete?: {
    label?: string;
    permission: string;
    title: string;
    description?: ReactNode;
    run: () => Promise<unknown>;
  };
  children: ReactNode;
}

/**
 * The detail/form shell: header with title and actions, sections, a sticky save bar while there are unsaved
 * changes, If-Match on save (useDetailForm), the "changed by someone else — reload" notice on 412, the server's
 * field errors next to fields (pass `form.fieldErrors` to each Field), and delete with a confirmation.
 */
export function DetailPage(props: DetailPageProps) {
  const { form } = props;
  const canDelete = useCan(props.onDelete?.permission);
  const back = props.back ? (
    <Link to={props.back.to} className="text-accent-700 hover:underline">
      ← {props.back.label}
    </Link>
  ) : undefined;

  if (props.loading) {
    return (
      <div>
        <PageHeader title={props.title} back={back} />
        <div className="flex justify-center p-10">
          <Spinner />
        </div>
      </div>
    );
  }
  if (props.error) {
    return (
      <div>
        <PageHeader title={props.title} back={back} />
        <ErrorNotice
          error={describeError(props.error)}
          action={props.onReload ? <Button onClick={() => props.onReload?.()}>Try again</Button> : undefined}
        />
      </div>
    );
  }

  const actions = (
    <>
      {props.actions}
      {props.onDelete && canDelete ? (
        <ConfirmDialog
          trigger={<Button variant="danger">{props.onDelete.label ?? 'Delete'}</Button>}
          title={props.onDelete.title}
          description={props.onDelete.description}
          confirmLabel={props.onDelete.label ?? 'Delete'}
          onConfirm={props.onDelete.run}
        />
      ) : null}
    </>
  );

  const notices = form ? (
    form.conflict ? (
      <ConflictNotice
        detail={form.error?.detail}
        onReload={async () => {
          form.resetOnNextLoad();
          await props.onReload?.();
        }}
      />
    ) : form.error ? (
      <ErrorNotice error={form.error} />
    ) : null
  ) : null;

  const body = <div className="space-y-5">{props.children}</div>;

  return (
    <div>
      <PageHeader title={props.title} description={props.description} back={back} actions={actions} />
      {notices ? <div className="mb-4">{notices}</div> : null}
      {form ? (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void form.submit();
          }}
        >
          {body}
          {form.dirty ? (
            <div className="sticky bottom-0 z-10 -mx-4 mt-6 flex flex-wrap items-center justify-end gap-2 border-t border-gray-200 bg-white/95 px-4 py-3 shadow-[0_-2px_6px_rgba(0,0,0,0.05)]">
              <span className="mr-auto text-sm text-gray-700">Unsaved changes</span>
              <Button onClick={form.reset} disabled={form.saving}>
                Discard
              </Button>
              <Button type="submit" variant="primary" loading={form.saving}>
                Save
              </Button>
            </div>
          ) : null}
        </form>
      ) : (
        body
      )}
    </div>
  );
}

/** A titled section of a detail page (a card). */
export function Section({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-gray-200 bg-white shadow-sm">
      <header className="flex flex-wrap items-center justify-between gap-2 border-b border-gray-200 px-4 py-3">
        <h2 className="text-base font-semibold">{title}</h2>
        {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
      </header>
      <div className="space-y-4 p-4">{children}</div>
    </section>
  );
}
