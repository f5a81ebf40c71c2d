import { useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Can } from '../../auth/Can';
import { DeleteRowButton } from '../../components/DeleteRowButton';
import {
  Badge,
  Button,
  EmptyState,
  ErrorNotice,
  Field,
  FormDialog,
  Input,
  PageHeader,
  Select,
  Spinner,
  Textarea,
} from '../../components/ui';
import { catalogKeys, useCategories } from '../products/api';
import { type CategoryRow, depthOf, hasChildren, pathLabel, subtreeIds } from './tree';

interface Draft {
  name: string;
  handle: string;
  parentId: string;
  description: string;
}

const fromCategory = (c: CategoryRow): Draft => ({
  name: c.name,
  handle: c.handle,
  parentId: c.parentId ?? '',
  description: c.description,
});

/** Create or edit one category: name, handle, parent (never itself or below itself), description. */
function CategoryDialog({
  categories,
  editing,
  parentId,
  onClose,
}: {
  categories: CategoryRow[];
  editing?: CategoryRow;
  parentId?: string;
  onClose: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(
    editing ? fromCategory(editing) : { name: '', handle: '', parentId: parentId ?? '', description: '' },
  );
  const blocked = editing ? subtreeIds(categories, editing.id) : new Set<string>();
  const save = useApiMutation({
    mutationFn: async (d: Draft, { idempotencyKey }) => {
      const headers = { 'Idempotency-Key': idempotencyKey };
      const common = { name: d.name, description: d.description, parentId: d.parentId || null };
      if (editing) {
        const body = { ...common, ...(d.handle.trim() ? { handle: d.handle.trim() } : {}) };
        return (await api.PATCH('/v1/admin/categories/{id}', { params: { path: { id: editing.id } }, body, headers }))
          .data;
      }
      const body = { ...common, ...(d.handle.trim() ? { handle: d.handle.trim() } : {}) };
      return (await api.POST('/v1/admin/categories', { body, headers })).data;
    },
    invalidate: [catalogKeys.categories],
    onSuccess: onClose,
  });
  const error = save.error ? describeError(save.error) : undefined;
  const fe = error?.fieldErrors ?? {};
  return (
    <FormDialog
      title={editing ? `Edit ${editing.name}` : 'New category'}
      formId="category-form"
      submitLabel={editing ? 'Save' : 'Create'}
      pending={save.isPending}
      error={error}
      onClose={onClose}
      onSubmit={() => save.mutate(draft)}
    >
      <Field label="Name" required fieldErrors={fe} name="name">
        <Input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
      </Field>
      <Field
        label="Handle"
        hint="Left empty on a new category, one is made from the name."
        fieldErrors={fe}
        name="handle"
      >
        <Input
          value={draft.handle}
          spellCheck={false}
          onChange={(e) => setDraft({ ...draft, handle: e.target.value })}
        />
      </Field>
      <Field label="Parent" fieldErrors={fe} name="parentId">
        <Select
          value={draft.parentId}
          placeholder="None (top level)"
          options={categories
            .filter((c) => !blocked.has(c.id))
            .map((c) => ({ value: c.id, label: pathLabel(categories, c) }))}
          onChange={(e) => setDraft({ ...draft, parentId: e.target.value })}
        />
      </Field>
      <Field label="Description" fieldErrors={fe} name="description">
        <Textarea value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
      </Field>
    </FormDialog>
  );
}

const indent = ['', 'pl-5', 'pl-10', 'pl-14', 'pl-18', 'pl-22'];

/**
 * Categories: the tree as an indented list (the API's tree order) with product counts; create (at the top or under
 * a category), rename, move under another parent, and delete a category without sub-categories.
 */
export default function CategoriesPage() {
  const categories = useCategories();
  const rows = categories.data ?? [];
  const [dialog, setDialog] = useState<{ editing?: CategoryRow; parentId?: string } | undefined>();

  return (
    <div>
      <PageHeader
        title="Categories"
        description="A tree: a product can be in several categories; storefronts filter by a category and everything under it."
        actions={
          <Can permission="catalog:write">
            <Button variant="primary" onClick={() => setDialog({})}>
              New category
            </Button>
          </Can>
        }
      />
      <div className="rounded-lg border border-gray-200 bg-white shadow-sm">
        {categories.isError ? (
          <div className="p-3">
            <ErrorNotice error={describeError(categories.error)} />
          </div>
        ) : categories.isPending ? (
          <div className="flex justify-center p-10">
            <Spinner label="Loading categories" />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState title="No categories yet" description="Create one to group products for storefront navigation." />
        ) : (
          <ul className="divide-y divide-gray-100">
            {rows.map((c) => (
              <li key={c.id} className="flex flex-wrap items-center gap-2 px-3 py-2">
                <div className={`min-w-0 flex-1 basis-48 ${indent[Math.min(depthOf(c), indent.length - 1)]}`}>
                  <span className="font-medium break-words text-gray-900">
                    {depthOf(c) > 0 ? (
                      <span aria-hidden="true" className="text-gray-500">
                        └{' '}
                      </span>
                    ) : null}
                    {c.name}
                  </span>{' '}
                  <span className="text-sm text-gray-600">/{c.handle}</span>{' '}
                  <Badge>
                    {c.productCount} product{c.productCount === 1 ? '' : 's'}
                  </Badge>
                </div>
                <Can permission="catalog:write">
                  <div className="flex flex-wrap gap-1">
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Add sub-category to ${c.name}`}
                      onClick={() => setDialog({ parentId: c.id })}
                    >
                      Add sub-category
                    </Button>
                    <Button size="sm" aria-label={`Edit ${c.name}`} onClick={() => setDialog({ editing: c })}>
                      Edit
                    </Button>
                    <DeleteRowButton
                      label={`Delete ${c.name}`}
                      title={`Delete ${c.name}?`}
                      description={
                        hasChildren(rows, c.id)
                          ? 'It has sub-categories: move or delete them first.'
                          : 'Its products stay; they are no longer in this category.'
                      }
                      remove={() => api.DELETE('/v1/admin/categories/{id}', { params: { path: { id: c.id } } })}
                      reload={() => categories.refetch()}
                    />
                  </div>
                </Can>
              </li>
            ))}
          </ul>
        )}
      </div>
      {dialog ? <CategoryDialog categories={rows} {...dialog} onClose={() => setDialog(undefined)} /> : null}
    </div>
  );
}
