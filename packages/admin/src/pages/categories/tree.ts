/**
 * The category tree as the API gives it (flattened in tree order, each with `path` = ancestor ids, root first),
 * shaped for an indented list and for "move under…" choices.
 */

export interface CategoryRow {
  id: string;
  parentId: string | null;
  name: string;
  handle: string;
  description: string;
  position: number;
  path: string[];
  productCount: number;
}

/** Depth of a category: 0 for a root. */
export const depthOf = (c: CategoryRow) => c.path.length;

/** The category and everything under it: they cannot become its parent (the server refuses a cycle too). */
export function subtreeIds(categories: readonly CategoryRow[], id: string): Set<string> {
  return new Set(categories.filter((c) => c.id === id || c.path.includes(id)).map((c) => c.id));
}

/** Names with their ancestors ("Clothing › Shirts"), for selects where the tree cannot be seen. */
export function pathLabel(categories: readonly CategoryRow[], c: CategoryRow): string {
  const names = new Map(categories.map((x) => [x.id, x.name]));
  return [...c.path.map((id) => names.get(id) ?? '…'), c.name].join(' › ');
}

/** Whether a category has sub-categories (the server refuses to delete those). */
export function hasChildren(categories: readonly CategoryRow[], id: string): boolean {
  return categories.some((c) => c.parentId === id);
}
