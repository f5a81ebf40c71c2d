import {
  type BulkProduct,
  type CatalogDeps,
  type CreateProductInput,
  createCategory,
  createCollection,
  createProduct,
} from './modules/catalog/index.js';
import { systemActor } from './platform/audit/audit.js';

/**
 * Demo catalog data: a small, realistic shop for `npm start`, and a generator of N products ×
 * 3 variants for benchmarks (`backroom seed --products N`). Deterministic (a seeded PRNG), so two
 * runs produce the same catalog.
 */

export interface DemoCatalog {
  productIds: string[];
  /** SKU → units to put in stock (the stock step applies them through inventory). */
  stock: Map<string, number>;
}

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sizes = ['S', 'M', 'L'];

interface Spec {
  title: string;
  description: string;
  tags: string[];
  category: string;
  eur: number;
  colours?: string[];
}

const demoProducts: Spec[] = [
  {
    title: 'Organic Cotton T-Shirt',
    description: 'A soft, breathable tee in organic cotton.',
    tags: ['cotton', 'organic', 'summer'],
    category: 't-shirts',
    eur: 2500,
    colours: ['White', 'Navy'],
  },
  {
    title: 'Striped Breton T-Shirt',
    description: 'Classic stripes, heavyweight jersey.',
    tags: ['cotton', 'stripes'],
    category: 't-shirts',
    eur: 3200,
  },
  {
    title: 'Merino Wool Sweater',
    description: 'Fine merino knit that keeps you warm without bulk.',
    tags: ['wool', 'merino', 'winter'],
    category: 'sweaters',
    eur: 8900,
    colours: ['Grey', 'Forest'],
  },
  {
    title: 'Chunky Knit Cardigan',
    description: 'An oversized cardigan with horn buttons.',
    tags: ['wool', 'knit', 'winter'],
    category: 'sweaters',
    eur: 11900,
  },
  {
    title: 'Linen Summer Shirt',
    description: 'Airy linen shirt for hot days.',
    tags: ['linen', 'summer'],
    category: 'shirts',
    eur: 6900,
  },
  {
    title: 'Oxford Button-Down Shirt',
    description: 'The everyday oxford, garment washed.',
    tags: ['cotton', 'office'],
    category: 'shirts',
    eur: 5900,
  },
  {
    title: 'Canvas Tote Bag',
    description: 'Heavy canvas tote with an inside pocket.',
    tags: ['canvas', 'bag'],
    category: 'bags',
    eur: 2900,
  },
  {
    title: 'Leather Weekender Bag',
    description: 'Full-grain leather, made to age well.',
    tags: ['leather', 'travel', 'bag'],
    category: 'bags',
    eur: 24900,
  },
  {
    title: 'Stoneware Coffee Mug',
    description: 'Hand-glazed stoneware, 350 ml.',
    tags: ['kitchen', 'coffee'],
    category: 'home',
    eur: 1800,
  },
  {
    title: 'Wool Beanie',
    description: 'Ribbed beanie in recycled wool.',
    tags: ['wool', 'winter', 'hat'],
    category: 'accessories',
    eur: 2400,
  },
];

async function demoCategories(deps: CatalogDeps): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const add = async (handle: string, name: string, parent?: string) => {
    const c = await createCategory(deps, systemActor, { name, handle, parentId: parent ? ids.get(parent) : null });
    ids.set(handle, c.id);
  };
  await add('clothing', 'Clothing');
  await add('tops', 'Tops', 'clothing');
  await add('t-shirts', 'T-Shirts', 'tops');
  await add('sweaters', 'Sweaters', 'tops');
  await add('shirts', 'Shirts', 'tops');
  await add('accessories', 'Accessories');
  await add('bags', 'Bags', 'accessories');
  await add('home', 'Home');
  return ids;
}

function productInput(
  spec: Spec,
  handle: string,
  skuBase: string,
  categoryId: string | undefined,
  rnd: () => number,
): CreateProductInput {
  const colours = spec.colours ?? [];
  const options =
    colours.length > 0
      ? [
          { name: 'Size', values: sizes },
          { name: 'Colour', values: colours },
        ]
      : [{ name: 'Size', values: sizes }];
  const combos =
    colours.length > 0
      ? sizes.flatMap((s) => colours.map((c) => ({ Size: s, Colour: c })))
      : sizes.map((s) => ({ Size: s }));
  const usd = Math.round((spec.eur * 1.08) / 100) * 100 - 1;
  return {
    title: spec.title,
    handle,
    description: spec.description,
    status: 'active',
    tags: spec.tags,
    images: [{ url: `https://images.backroom.dev/demo/${handle}.jpg`, alt: spec.title }],
    options,
    categoryIds: categoryId ? [categoryId] : [],
    salesChannelIds: ['sc_default'],
    variants: combos.map((values, i) => ({
      sku: `${skuBase}-${Object.values(values).join('-').toUpperCase()}`,
      options: values,
      weightGrams: 200 + Math.floor(rnd() * 800),
      prices: [
        {
          currency: 'EUR',
          amount: spec.eur - 1,
          ...(i === 0 && rnd() < 0.3 ? { compareAtAmount: spec.eur + 1000 } : {}),
        },
        { currency: 'USD', amount: usd },
      ],
    })),
  };
}

/** The demo shop: 10 products in a small category tree, two collections, stock for most variants. */
export async function seedDemoCatalog(deps: CatalogDeps): Promise<DemoCatalog> {
  const rnd = prng(42);
  const categories = await demoCategories(deps);
  const stock = new Map<string, number>();
  const productIds: string[] = [];
  for (const [i, spec] of demoProducts.entries()) {
    const handle = spec.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    const p = await createProduct(
      deps,
      systemActor,
      productInput(spec, handle, `DEMO-${String(i + 1).padStart(3, '0')}`, categories.get(spec.category), rnd),
    );
    productIds.push(p.id);
    // Some variants sell out, some run low: the storefront shows every availability state.
    for (const v of p.variants) stock.set(v.sku, i === 3 ? 0 : i === 7 ? 2 : 5 + Math.floor(rnd() * 40));
  }
  const first = productIds[0] ?? '';
  await createCollection(deps, systemActor, {
    title: 'Summer Essentials',
    handle: 'summer-essentials',
    productIds: [productIds[4] ?? first, first, productIds[6] ?? first],
  });
  await createCollection(deps, systemActor, {
    title: 'Staff Picks',
    handle: 'staff-picks',
    productIds: [productIds[2] ?? first, productIds[7] ?? first],
  });
  return { productIds, stock };
}

const adjectives = [
  'Classic',
  'Organic',
  'Vintage',
  'Modern',
  'Rustic',
  'Urban',
  'Coastal',
  'Alpine',
  'Everyday',
  'Premium',
  'Lightweight',
  'Heavyweight',
  'Recycled',
  'Handmade',
  'Essential',
];
const materials = [
  'Cotton',
  'Linen',
  'Wool',
  'Merino',
  'Denim',
  'Leather',
  'Canvas',
  'Cashmere',
  'Silk',
  'Hemp',
  'Fleece',
  'Corduroy',
];
const nouns = [
  'T-Shirt',
  'Sweater',
  'Shirt',
  'Jacket',
  'Hoodie',
  'Scarf',
  'Beanie',
  'Tote Bag',
  'Backpack',
  'Trousers',
  'Shorts',
  'Dress',
  'Cardigan',
  'Socks',
  'Cap',
];

/** The bulk form of a product input (the generated catalog is written in batches, as an import is). */
function bulkProduct(input: CreateProductInput): BulkProduct {
  return {
    handle: input.handle ?? '',
    title: input.title,
    description: input.description ?? '',
    status: input.status ?? 'draft',
    tags: input.tags ?? [],
    images: (input.images ?? []).map((i) => ({ url: i.url, alt: i.alt ?? null })),
    categoryIds: input.categoryIds ?? [],
    collectionIds: [],
    channelIds: input.salesChannelIds ?? null,
    options: (input.options ?? []).map((o) => ({ name: o.name, values: [...o.values] })),
    variants: (input.variants ?? []).map((v) => ({
      sku: v.sku,
      barcode: v.barcode ?? null,
      weightGrams: v.weightGrams ?? null,
      options: v.options ?? {},
      prices: (v.prices ?? []).map((p) => ({
        currency: p.currency,
        amount: p.amount,
        compareAtAmount: p.compareAtAmount ?? null,
      })),
    })),
  };
}

export interface GeneratedCatalog {
  products: BulkProduct[];
  /** SKU → units to put in stock. */
  stock: Map<string, number>;
}

/**
 * N generated products × 3 sizes, active in the default channel, EUR and USD prices, 0–50 in
 * stock. Only builds them (the seed writes them in batches); handles and SKUs carry `run`, so
 * each run adds new products.
 */
export function generatedProducts(count: number, run?: string): GeneratedCatalog {
  const runId = run ?? Date.now().toString(36).toUpperCase();
  const rnd = prng(7);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)] as T;
  const stock = new Map<string, number>();
  const products: BulkProduct[] = [];
  for (let i = 0; i < count; i++) {
    const title = `${pick(adjectives)} ${pick(materials)} ${pick(nouns)}`;
    const spec: Spec = {
      title,
      description: `${title}, number ${i + 1} of the generated catalog. ${pick(adjectives)} and ${pick(adjectives).toLowerCase()}.`,
      tags: [title.split(' ')[1]?.toLowerCase() ?? 'cotton', pick(['summer', 'winter', 'sale', 'new'])],
      category: '',
      eur: 1000 + Math.floor(rnd() * 200) * 50,
    };
    const product = bulkProduct(
      productInput(spec, `gen-${runId.toLowerCase()}-${i + 1}`, `GEN-${runId}-${i + 1}`, undefined, rnd),
    );
    products.push(product);
    for (const v of product.variants) stock.set(v.sku, Math.floor(rnd() * 50));
  }
  return { products, stock };
}
