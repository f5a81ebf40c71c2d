import { createPromotion, createRegion, createShippingOption, createTaxRate } from './modules/checkout/index.js';
import { createStaff, staffExists } from './modules/identity/index.js';
import { writeProductBatch } from './modules/imports/index.js';
import { createLocation, listLocations, setStockLevels, updateItemSettings } from './modules/inventory/index.js';
import { systemActor } from './platform/audit/audit.js';
import type { Db } from './platform/db/database.js';
import { withTransaction } from './platform/db/transaction.js';
import { createProgress } from './platform/progress.js';
import { type DemoCatalog, generatedProducts, seedDemoCatalog } from './seed.catalog.js';
import { wireModules } from './wiring.js';

/**
 * Demo data, one step per module, each idempotent (it checks before it inserts), so `backroom
 * seed` can run on every start of an empty embedded database and again by hand without duplicates.
 * Modules add their step here as they arrive (demo staff owner, catalog, stock, regions).
 */
export interface SeedStep {
  name: string;
  run(db: Db): Promise<void>;
}

/** The demo owner login (documented in README); the password can be set with BACKROOM_DEMO_PASSWORD. */
export const demoOwner = {
  email: 'owner@demo.backroom.dev',
  password: () => process.env.BACKROOM_DEMO_PASSWORD || 'backroom-demo-owner',
};

export const seedSteps: SeedStep[] = [
  {
    name: 'demo owner',
    async run(db) {
      if (await staffExists(db)) return;
      await createStaff(db, {
        email: demoOwner.email,
        password: demoOwner.password(),
        name: 'Demo owner',
        roleId: 'role_owner',
      });
    },
  },
  {
    name: 'demo catalog and stock',
    async run(db) {
      const any = await db.selectFrom('product').select('id').limit(1).executeTakeFirst();
      if (any) return;
      const deps = wireModules(db);
      const demo = await seedDemoCatalog(deps.catalog);
      // A threshold of 3 makes the demo show "low stock" for the nearly sold-out products.
      const items = await db
        .selectFrom('inventory_item')
        .select('id')
        .where('sku', 'in', [...demo.stock.keys()])
        .execute();
      for (const item of items)
        await updateItemSettings(deps.inventory, systemActor, item.id, { lowStockThreshold: 3 });
      await putInStock(db, demo);
    },
  },
  {
    // A shop that can sell at once: the storefront walkthrough in the README checks out against it.
    name: 'demo regions, taxes, shipping and a promotion',
    async run(db) {
      const any = await db.selectFrom('region').select('id').limit(1).executeTakeFirst();
      if (any) return;
      const locationId = await mainLocation(db);
      const europe = await createRegion(db, systemActor, {
        name: 'Europe',
        currency: 'EUR',
        countries: ['DE', 'AT', 'FR', 'NL', 'BE', 'IT', 'ES'],
        taxInclusive: true,
      });
      const rates: [string, string, number][] = [
        ['DE', 'MwSt', 19000],
        ['AT', 'USt', 20000],
        ['FR', 'TVA', 20000],
        ['NL', 'btw', 21000],
        ['BE', 'TVA', 21000],
        ['IT', 'IVA', 22000],
        ['ES', 'IVA', 21000],
      ];
      for (const [countryCode, name, rate] of rates) await createTaxRate(db, systemActor, { countryCode, name, rate });
      await createShippingOption(db, systemActor, europe.id, {
        name: 'Standard (free above 50 EUR)',
        stockLocationId: locationId,
        price: { kind: 'free_above', amount: 490, threshold: 5000 },
      });
      await createShippingOption(db, systemActor, europe.id, {
        name: 'Express',
        stockLocationId: locationId,
        price: { kind: 'flat', amount: 1290 },
      });
      // US prices are without tax; sales tax is left to the shop (no rate seeded).
      const us = await createRegion(db, systemActor, { name: 'United States', currency: 'USD', countries: ['US'] });
      await createShippingOption(db, systemActor, us.id, {
        name: 'Ground',
        stockLocationId: locationId,
        price: { kind: 'flat', amount: 900 },
      });
      // 10 % off a first order, once per customer (guests count by email).
      await createPromotion(db, systemActor, {
        name: 'Welcome 10 %',
        code: 'WELCOME10',
        kind: 'percentage',
        value: 1000,
        perCustomerLimit: 1,
        combinable: false,
      });
    },
  },
];

/** The first stock location, created as "Main warehouse" when there is none. */
async function mainLocation(db: Db): Promise<string> {
  const [first] = await listLocations(db);
  if (first) return first.id;
  const created = await createLocation(wireModules(db).inventory, systemActor, {
    code: 'main',
    name: 'Main warehouse',
  });
  return created.id;
}

/** Sets the seeded on-hand counts at the main location (ledger reason `received`). */
export async function putInStock(db: Db, catalog: DemoCatalog): Promise<void> {
  const locationId = await mainLocation(db);
  const deps = wireModules(db);
  const skus = [...catalog.stock.keys()];
  for (let i = 0; i < skus.length; i += 500) {
    const batch = skus.slice(i, i + 500);
    const variants = await db.selectFrom('variant').select(['id', 'sku']).where('sku', 'in', batch).execute();
    await withTransaction(db, (tx) =>
      setStockLevels(deps.inventory, tx, systemActor, {
        targets: variants.map((v) => ({ variantId: v.id, locationId, onHand: catalog.stock.get(v.sku) ?? 0 })),
        referenceId: 'seed',
      }),
    );
  }
}

/** Products per transaction of the generated catalog (the CSV import's batch size). */
const GENERATED_BATCH = 250;

/**
 * Writes N generated products × 3 variants with their stock at the main location, in batches
 * through the import's bulk write (a fixed number of statements and one transaction per batch).
 */
export async function seedGeneratedProducts(
  db: Db,
  count: number,
  opts: { onProgress?: (written: number) => void; run?: string } = {},
): Promise<DemoCatalog> {
  const { products, stock } = generatedProducts(count, opts.run);
  const locationId = await mainLocation(db);
  const deps = wireModules(db);
  const productIds: string[] = [];
  for (let i = 0; i < products.length; i += GENERATED_BATCH) {
    const batch = products.slice(i, i + GENERATED_BATCH);
    const written = await writeProductBatch(deps, {
      ctx: systemActor,
      referenceId: 'seed',
      products: batch,
      stock: batch.flatMap((p) => p.variants.map((v) => ({ sku: v.sku, locationId, onHand: stock.get(v.sku) ?? 0 }))),
    });
    productIds.push(...written.productIds);
    opts.onProgress?.(batch.length);
  }
  return { productIds, stock };
}

/** `backroom seed --products N`: N generated products × 3 variants with stock, for benchmarks. */
export async function seedProducts(db: Db, count: number): Promise<number> {
  const progress = createProgress('products', count);
  const generated = await seedGeneratedProducts(db, count, { onProgress: (n) => progress.tick(n) });
  progress.done();
  return generated.productIds.length;
}

export async function seed(db: Db, steps: SeedStep[] = seedSteps): Promise<string[]> {
  if (steps.length === 0) return [];
  const progress = createProgress('seeding', steps.length);
  const done: string[] = [];
  for (const step of steps) {
    await step.run(db);
    done.push(step.name);
    progress.tick();
  }
  progress.done();
  return done;
}
