import { useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Can } from '../../auth/Can';
import { DeleteRowButton } from '../../components/DeleteRowButton';
import { Section } from '../../components/DetailPage';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorNotice,
  Field,
  FormDialog,
  Input,
  PageHeader,
  Spinner,
  Textarea,
} from '../../components/ui';
import { type Collection, catalogKeys, useCollections } from '../products/api';
import { CollectionProducts } from './CollectionProducts';

interface Draft {
  title: string;
  handle: string;
  description: string;
}

function CollectionDialog({ editing, onClose }: { editing?: Collection; onClose: () => void }) {
  const [draft, setDraft] = useState<Draft>(
    editing
      ? { title: editing.title, handle: editing.handle, description: editing.description }
      : { title: '', handle: '', description: '' },
  );
  const save = useApiMutation({
    mutationFn: async (d: Draft, { idempotencyKey }) => {
      const headers = { 'Idempotency-Key': idempotencyKey };
      const body = {
        title: d.title,
        description: d.description,
        ...(d.handle.trim() ? { handle: d.handle.trim() } : {}),
      };
      if (editing) {
        return (await api.PATCH('/v1/admin/collections/{id}', { params: { path: { id: editing.id } }, body, headers }))
          .data;
      }
      return (await api.POST('/v1/admin/collections', { body, headers })).data;
    },
    invalidate: [catalogKeys.collections],
    onSuccess: onClose,
  });
  const error = save.error ? describeError(save.error) : undefined;
  const fe = error?.fieldErrors ?? {};
  return (
    <FormDialog
      title={editing ? `Edit ${editing.title}` : 'New collection'}
      formId="collection-form"
      submitLabel={editing ? 'Save' : 'Create'}
      pending={save.isPending}
      error={error}
      onClose={onClose}
      onSubmit={() => save.mutate(draft)}
    >
      <Field label="Title" required fieldErrors={fe} name="title">
        <Input value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
      </Field>
      <Field
        label="Handle"
        hint="Left empty on a new collection, one is made from the title."
        fieldErrors={fe}
        name="handle"
      >
        <Input
          value={draft.handle}
          spellCheck={false}
          onChange={(e) => setDraft({ ...draft, handle: e.target.value })}
        />
      </Field>
      <Field label="Description" fieldErrors={fe} name="description">
        <Textarea value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
      </Field>
    </FormDialog>
  );
}

/**
 * Collections: hand-picked, ordered product lists (a storefront shows them in this order). Create, edit, delete
 * (the products stay), and manage the products in each.
 */
export default function CollectionsPage() {
  const collections = useCollections();
  const rows = collections.data ?? [];
  const [dialog, setDialog] = useState<{ editing?: Collection } | undefined>();
  const [open, setOpen] = useState<string | undefined>();

  return (
    <div>
      <PageHeader
        title="Collections"
        description="Hand-picked, ordered lists of products, such as “Summer sale” or “Staff picks”."
        actions={
          <Can permission="catalog:write">
            <Button variant="primary" onClick={() => setDialog({})}>
              New collection
            </Button>
          </Can>
        }
      />
      {collections.isError ? (
        <ErrorNotice error={describeError(collections.error)} />
      ) : collections.isPending ? (
        <div className="flex justify-center p-10">
          <Spinner label="Loading collections" />
        </div>
      ) : rows.length === 0 ? (
        <Card>
          <EmptyState
            title="No collections yet"
            description="Create one, then add products to it in the order you want."
          />
        </Card>
      ) : (
        <div className="space-y-3">
          {rows.map((c) => (
            <Section
              key={c.id}
              title={
                <span className="inline-flex flex-wrap items-center gap-2">
                  <span className="break-words">{c.title}</span>
                  <span className="text-sm font-normal text-gray-600">/{c.handle}</span>
                  <Badge>
                    {c.productIds.length} product{c.productIds.length === 1 ? '' : 's'}
                  </Badge>
                </span>
              }
              actions={
                <>
                  <Button
                    size="sm"
                    aria-expanded={open === c.id}
                    aria-controls={`collection-${c.id}`}
                    onClick={() => setOpen(open === c.id ? undefined : c.id)}
                  >
                    {open === c.id ? 'Hide products' : 'Products'}
                  </Button>
                  <Can permission="catalog:write">
                    <Button size="sm" aria-label={`Edit ${c.title}`} onClick={() => setDialog({ editing: c })}>
                      Edit
                    </Button>
                    <DeleteRowButton
                      label={`Delete ${c.title}`}
                      title={`Delete ${c.title}?`}
                      description="The collection goes; its products stay in the catalog."
                      remove={() => api.DELETE('/v1/admin/collections/{id}', { params: { path: { id: c.id } } })}
                      reload={() => collections.refetch()}
                    />
                  </Can>
                </>
              }
            >
              {c.description ? <p className="text-sm text-gray-700">{c.description}</p> : null}
              {open === c.id ? (
                <div id={`collection-${c.id}`} className={c.description ? 'mt-3' : undefined}>
                  <CollectionProducts collection={c} />
                </div>
              ) : !c.description ? (
                <p className="text-sm text-gray-600">
                  {c.productIds.length === 0 ? 'Empty.' : 'Open “Products” to see and order them.'}
                </p>
              ) : null}
            </Section>
          ))}
        </div>
      )}
      {dialog ? <CollectionDialog {...dialog} onClose={() => setDialog(undefined)} /> : null}
    </div>
  );
}
