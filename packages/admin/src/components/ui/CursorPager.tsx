import { useState } from 'react';
import { Button } from './Button';
import { Spinner } from './Spinner';

/**
 * Paging over an API's opaque cursors for a list kept in component state (not the URL): the cursors followed so
 * far form a stack, so "Newer" goes back a page without the API needing a cursor backwards.
 */
export function useCursorStack() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    /** The cursor of the page shown (undefined: the first page). */
    cursor: cursors.at(-1),
    hasNewer: cursors.length > 0,
    newer: () => setCursors((c) => c.slice(0, -1)),
    older: (next: string) => setCursors((c) => [...c, next]),
    /** Back to the first page (a filter changed). */
    reset: () => setCursors([]),
  };
}

export type CursorStack = ReturnType<typeof useCursorStack>;

/** "Newer" / "Older" buttons for a cursor stack; `nextCursor` is the API's for the page shown. */
export function CursorPager({
  label,
  pages,
  nextCursor,
  updating = false,
  className = 'flex items-center justify-end gap-2',
}: {
  /** What the pages are, for screen readers ("Movement pages"). */
  label: string;
  pages: CursorStack;
  nextCursor: string | null | undefined;
  updating?: boolean;
  className?: string;
}) {
  return (
    <nav aria-label={label} className={className}>
      {updating ? <Spinner label="Updating" /> : null}
      <Button size="sm" disabled={!pages.hasNewer} onClick={pages.newer}>
        Newer
      </Button>
      <Button
        size="sm"
        disabled={!nextCursor}
        onClick={() => {
          if (nextCursor) pages.older(nextCursor);
        }}
      >
        Older
      </Button>
    </nav>
  );
}
