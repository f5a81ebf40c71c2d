import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { useCan } from '../../auth/Can';
import { Button, ErrorNotice, Input, Spinner, StatusBadge } from '../../components/ui';
import { type Collection, catalogKeys } from '../products/api';

/** Products shown per collection here; the API keeps any number, in order. */
const SHOWN = 100;

/**
 * The products of a collection in its order: reorder, remove, and add by searching the catalog. Every change sends
 * the whole ordered list (`PATCH /v1/admin/collections/{id}` with `productIds`).
 */
export function CollectionProducts({ collection }: { collection: Collection }) {
  const canWrite = useCan('catalog:write');
  const [search, setSearch] = useState('');
  const members = useQuery({
    queryKey: [...catalogKeys.products, 'list', { collection: collection.id }],
    queryFn: async ({ signal }) =>
      (
        await api.GET('/v1/admin/products', {
          params: { query: { collectionId: collection.id, limit: SHOWN } },
          signal,
        })
      ).data.data,
  });
  const found = useQuery({
    queryKey: [...catalogKeys.products, 'list', { q: search.trim() }],
    queryFn: async ({ signal }) =>
      (await api.GET('/v1/admin/products', { params: { query: { q: search.trim(), limit: 8 } }, signal })).data.data,
    enabled: canWrite && search.trim().length > 0,
  });
  const byId = new Map((members.data ?? []).map((p) => [p.id, p]));
  const ordered = collection.productIds.slice(0, SHOWN);

  const save = useApiMutation({
    mutationFn: async (productIds: string[], { idempotencyKey }) =>
      (
        await api.PATCH('/v1/admin/collections/{id}', {
          params: { path: { id: collection.id } },
          body: { productIds },
          headers: { 'Idempotency-Key': idempotencyKey },
        })
      ).data,
    invalidate: [catalogKeys.collections, catalogKeys.products],
  });
  const ids = collection.productIds;
  const move = (from: number, to: number) => {
    const next = [...ids];
    const [id] = next.splice(from, 1);
    if (id) next.splice(to, 0, id);
    save.mutate(next);
  };

  return (
    <div className="space-y-3">
      {save.error ? <ErrorNotice error={describeError(save.error)} /> : null}
      {members.isPending ? <Spinner label="Loading products" /> : null}
      {ids.length === 0 ? <p className="text-sm text-gray-700">No products in this collection yet.</p> : null}
      <ol className="divide-y divide-gray-100 rounded-md border border-gray-200">
        {ordered.map((id, i) => {
          const p = byId.get(id);
          const name = p?.title ?? id;
          return (
            <li key={id} className="flex flex-wrap items-center gap-2 px-3 py-2 text-sm">
              <span className="w-6 text-right text-gray-600 tabular-nums">{i + 1}.</span>
              <span className="min-w-0 flex-1 basis-40 break-words text-gray-900">{name}</span>
              {p ? <StatusBadge status={p.status} /> : null}
              {canWrite ? (
                <span className="flex gap-1">
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={i === 0 || save.isPending}
                    aria-label={`Move ${name} up`}
                    onClick={() => move(i, i - 1)}
                  >
                    Up
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={i === ids.length - 1 || save.isPending}
                    aria-label={`Move ${name} down`}
                    onClick={() => move(i, i + 1)}
                  >
                    Down
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={save.isPending}
                    aria-label={`Remove ${name} from ${collection.title}`}
                    onClick={() => save.mutate(ids.filter((x) => x !== id))}
                  >
                    Remove
                  </Button>
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
      {ids.length > SHOWN ? <p className="text-sm text-gray-700">And {ids.length - SHOWN} more.</p> : null}
      {canWrite ? (
        <div className="space-y-2">
          <label className="block text-sm font-medium text-gray-800" htmlFor={`add-${collection.id}`}>
            Add a product to {collection.title}
          </label>
          <Input
            id={`add-${collection.id}`}
            type="search"
            placeholder="Search by title or SKU"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          {found.data?.length ? (
            <ul className="divide-y divide-gray-100 rounded-md border border-gray-200">
              {found.data.map((p) => (
                <li key={p.id} className="flex flex-wrap items-center gap-2 px-3 py-2 text-sm">
                  <span className="min-w-0 flex-1 break-words">{p.title}</span>
                  <Button
                    size="sm"
                    disabled={ids.includes(p.id) || save.isPending}
                    aria-label={ids.includes(p.id) ? `In collection: ${p.title}` : `Add ${p.title}`}
                    onClick={() => save.mutate([...ids, p.id])}
                  >
                    {ids.includes(p.id) ? 'In collection' : 'Add'}
                  </Button>
                </li>
              ))}
            </ul>
          ) : search.trim() && found.isSuccess ? (
            <p className="text-sm text-gray-700">No product matches.</p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
