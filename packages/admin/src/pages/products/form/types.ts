import type { ProductForm } from '../form-model';

/** What every section of the product form gets: the values, an updater, field errors by form key, read-only. */
export interface SectionProps {
  form: ProductForm;
  update: (change: (f: ProductForm) => ProductForm) => void;
  /** The message for a form key (`title`, `variants.0.sku`, `variants.1.prices.EUR.amount`), if any. */
  error: (key: string) => string | undefined;
  readOnly: boolean;
}
