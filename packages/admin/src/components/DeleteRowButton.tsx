import { Button, ConfirmDialog } from './ui';

/**
 * A row's Delete: asks first, deletes, then reloads what lists the row. A failure stays in the dialog (the row is
 * still there); the reload runs only after the delete succeeded.
 */
export function DeleteRowButton({
  label,
  title,
  description,
  remove,
  reload,
}: {
  /** The button's accessible name, e.g. "Delete Parcel" (every row's button says "Delete"). */
  label: string;
  title: string;
  description: string;
  remove: () => Promise<unknown>;
  reload: () => Promise<unknown>;
}) {
  return (
    <ConfirmDialog
      trigger={
        <Button size="sm" variant="ghost" aria-label={label}>
          Delete
        </Button>
      }
      title={title}
      description={description}
      confirmLabel="Delete"
      onConfirm={async () => {
        await remove();
        await reload();
      }}
    />
  );
}
