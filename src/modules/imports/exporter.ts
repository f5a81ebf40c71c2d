import { stringify } from 'csv-stringify/sync';
import { type ExportProduct, exportCurrencies, exportProductPage } from '../catalog/index.js';
import { listLocations, onHandByVariant } from '../inventory/index.js';
import { FIXED_COLUMNS, LIST_SEPARATOR } from './csv-format.js';
import type { ImportDeps } from './importer.js';

/**
 * Exports every product in the import format (so export → edit → import round-trips), a page of
 * products at a time: memory stays flat whatever the catalog size. Yields CSV text chunks.
 */

const PAGE = 200;

export async function* exportProductsCsv(deps: ImportDeps): AsyncGenerator<string> {
  const currencies = await exportCurrencies(deps.catalog.db);
  const locations = (await listLocations(deps.inventory.db)).map((l) => l.code);
  const header = [
    ...FIXED_COLUMNS,
    ...currencies.flatMap((c) => [`price_${c}`, `compare_at_${c}`]),
    ...locations.map((code) => `stock_${code}`),
  ];
  yield stringify([header]);
  let after: string | null = null;
  for (;;) {
    const page: ExportProduct[] = await exportProductPage(deps.catalog.db, after, PAGE);
    if (page.length === 0) return;
    const stock = await onHandByVariant(
      deps.inventory.db,
      page.flatMap((p) => p.variants.map((v) => v.id)),
    );
    const rows = page.flatMap((p) =>
      p.variants.map((v, i) => {
        const first = i === 0;
        const opts = [0, 1, 2].flatMap((n) => {
          const o = p.options[n];
          return o ? [o.name, v.options[o.name] ?? ''] : ['', ''];
        });
        const prices = currencies.flatMap((c) => {
          const pr = v.prices.find((x) => x.currency === c);
          return [pr ? String(pr.amount) : '', pr?.compareAtAmount != null ? String(pr.compareAtAmount) : ''];
        });
        const onHand = stock.get(v.id) ?? {};
        return [
          p.handle,
          first ? p.title : '',
          first ? p.description : '',
          first ? p.status : '',
          first ? p.tags.join(LIST_SEPARATOR) : '',
          first ? p.categories.join(LIST_SEPARATOR) : '',
          first ? p.collections.join(LIST_SEPARATOR) : '',
          first ? p.channels.join(LIST_SEPARATOR) : '',
          ...opts,
          v.sku,
          v.barcode ?? '',
          v.weightGrams === null ? '' : String(v.weightGrams),
          ...prices,
          ...locations.map((code) => (onHand[code] === undefined ? '' : String(onHand[code]))),
        ];
      }),
    );
    yield stringify(rows);
    after = page.at(-1)?.id ?? null;
  }
}
