import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { useMemo, useRef, useState } from 'react';
import { api } from '../../api/client';
import { useApiMutation } from '../../api/mutation';
import { Can } from '../../auth/Can';
import { DetailPage } from '../../components/DetailPage';
import { Button, ConfirmDialog, DateTime, StatusBadge } from '../../components/ui';
import { useDetailForm } from '../../components/useDetailForm';
import { catalogKeys, fetchProduct, useCollections } from './api';
import { ProductFormView } from './form/ProductFormView';
import { formOf, type ProductForm, type ProductView } from './form-model';
import { updateProduct } from './save';

/**
 * One product: edit everything and save once. The save sends If-Match with the version this page read, so a change
 * someone else saved meanwhile shows "changed by someone else — reload" instead of being overwritten.
 */
export default function ProductDetailPage() {
  const { productId = '' } = useParams({ strict: false }) as { productId?: string };
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const collections = useCollections();
  const query = useQuery({
    queryKey: catalogKeys.product(productId),
    queryFn: ({ signal }) => fetchProduct(productId, signal),
  });
  const product = query.data;
  const latest = useRef<ProductView | undefined>(undefined);
  latest.current = product;
  const initial = useMemo(() => (product ? formOf(product) : undefined), [product]);
  const [partial, setPartial] = useState(false);

  const form = useDetailForm<ProductForm, ProductView>({
    initial,
    version: product?.version,
    invalidate: [catalogKeys.product(productId), catalogKeys.products, catalogKeys.collections, catalogKeys.categories],
    save: async (values, { idempotencyKey }) => {
      const loaded = latest.current;
      if (!loaded) throw new Error('The product is not loaded yet.');
      setPartial(false);
      try {
        return await updateProduct(loaded, values, collections.data ?? [], idempotencyKey, (done) => {
          if (done > 0) setPartial(true);
        });
      } catch (err) {
        // Some steps were saved before this one failed: read the product again so the next save sends only the rest.
        if (partial || (err as { status?: number }).status !== 412) {
          await queryClient.invalidateQueries({ queryKey: catalogKeys.product(productId) });
        }
        throw err;
      }
    },
  });

  const archive = useApiMutation({
    mutationFn: async (_: undefined, { idempotencyKey }) =>
      (
        await api.PATCH('/v1/admin/products/{id}', {
          params: { path: { id: productId }, header: { 'if-match': `"${product?.version ?? 0}"` } },
          body: { status: 'archived' },
          headers: { 'Idempotency-Key': idempotencyKey },
        })
      ).data,
    invalidate: [catalogKeys.product(productId), catalogKeys.products],
  });

  return (
    <DetailPage
      title={product?.title ?? 'Product'}
      description={
        product ? (
          <span className="inline-flex flex-wrap items-center gap-2">
            <StatusBadge status={product.status} />
            <span>
              Updated <DateTime value={product.updatedAt} />
            </span>
          </span>
        ) : undefined
      }
      back={{ to: '/products', label: 'Products' }}
      loading={query.isPending}
      error={query.error ?? undefined}
      onReload={() => query.refetch()}
      form={form}
      actions={
        product && product.status !== 'archived' ? (
          <Can permission="catalog:write">
            <ConfirmDialog
              trigger={<Button>Archive</Button>}
              title={`Archive ${product.title}?`}
              description="An archived product is hidden from every storefront; its orders keep it. You can make it active again."
              confirmLabel="Archive"
              variant="primary"
              onConfirm={() => archive.mutateAsync(undefined)}
            />
          </Can>
        ) : undefined
      }
      onDelete={{
        permission: 'catalog:write',
        title: `Delete ${product?.title ?? 'this product'}?`,
        description:
          'It is removed with its variants and prices. A product that was ever ordered cannot be deleted: archive it instead.',
        run: async () => {
          await api.DELETE('/v1/admin/products/{id}', {
            params: { path: { id: productId }, header: { 'if-match': `"${product?.version ?? 0}"` } },
          });
          await queryClient.invalidateQueries({ queryKey: catalogKeys.products });
          await navigate({ to: '/products' });
        },
      }}
    >
      {form.values ? (
        <>
          {partial && form.error && !form.conflict ? (
            <p className="text-sm text-amber-900">
              Part of this save went through; the page now shows the saved product with your remaining changes.
            </p>
          ) : null}
          <ProductFormView
            form={form.values}
            update={(change) => form.setValues(change)}
            fieldErrors={form.fieldErrors}
            isNew={false}
          />
          {product ? (
            <p className="text-sm text-gray-700">
              Stock for these variants is kept in{' '}
              <Link
                to="/inventory"
                search={{ q: product.variants[0]?.sku } as never}
                className="text-accent-700 underline"
              >
                Inventory
              </Link>
              .
            </p>
          ) : null}
        </>
      ) : null}
    </DetailPage>
  );
}
