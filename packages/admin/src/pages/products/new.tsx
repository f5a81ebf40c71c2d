import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { Can } from '../../auth/Can';
import { Button, ErrorNotice, PageHeader } from '../../components/ui';
import { catalogKeys, useCollections, useSalesChannels, useShopCurrencies } from './api';
import { ProductFormView } from './form/ProductFormView';
import { emptyForm, type ProductForm } from './form-model';
import { createProduct } from './save';

/**
 * A new product: everything in one form, created with one call (options, variants and prices included), then added
 * to the chosen collections. Starts in the default sales channel and the shop's currencies, as a draft.
 */
export default function NewProductPage() {
  const navigate = useNavigate();
  const channels = useSalesChannels();
  const collections = useCollections();
  const currencies = useShopCurrencies();
  const [form, setForm] = useState<ProductForm>(() => emptyForm());
  // Which defaulted fields the member changed: a default that arrives later never overwrites those, but typing a
  // title before the shop's currencies have loaded must not cost the product its price columns.
  const touched = useRef({ channels: false, currencies: false });
  const update = (change: (f: ProductForm) => ProductForm) =>
    setForm((f) => {
      const next = change(f);
      if (next.salesChannelIds !== f.salesChannelIds) touched.current.channels = true;
      if (next.currencies !== f.currencies) touched.current.currencies = true;
      return next;
    });

  const defaultChannel = channels.data?.find((c) => c.isDefault)?.id;
  const currencyList = currencies.join(',');
  useEffect(() => {
    setForm((f) => ({
      ...f,
      salesChannelIds: defaultChannel && !touched.current.channels ? [defaultChannel] : f.salesChannelIds,
      currencies:
        currencyList && !touched.current.currencies
          ? [...new Set([...f.currencies, ...currencyList.split(',')])]
          : f.currencies,
    }));
  }, [defaultChannel, currencyList]);

  const create = useApiMutation({
    mutationFn: (values: ProductForm, { idempotencyKey }) =>
      createProduct(values, collections.data ?? [], idempotencyKey),
    invalidate: [catalogKeys.products, catalogKeys.collections, catalogKeys.categories],
    onSuccess: (product) => navigate({ to: '/products/$productId', params: { productId: product.id } }),
  });
  const error = create.error ? describeError(create.error) : undefined;

  return (
    <div>
      <PageHeader
        title="New product"
        back={
          <Link to="/products" className="text-accent-700 hover:underline">
            ← Products
          </Link>
        }
      />
      <Can permission="catalog:write" fallback={<p className="text-gray-700">You may not create products.</p>}>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(form);
          }}
          className="space-y-5"
        >
          {error && Object.keys(error.fieldErrors).length === 0 ? <ErrorNotice error={error} /> : null}
          <ProductFormView form={form} update={update} fieldErrors={error?.fieldErrors ?? {}} isNew />
          <div className="sticky bottom-0 z-10 -mx-4 flex flex-wrap items-center justify-end gap-2 border-t border-gray-200 bg-white/95 px-4 py-3">
            <Link to="/products" className="mr-auto text-sm text-accent-700 hover:underline">
              Cancel
            </Link>
            <Button type="submit" variant="primary" loading={create.isPending}>
              Create product
            </Button>
          </div>
        </form>
      </Can>
    </div>
  );
}
