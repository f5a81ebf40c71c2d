import { sql } from 'kysely';
import { createProduct } from '../src/modules/catalog/index.js';
import { createRegion, createShippingOption, createTaxRate } from '../src/modules/checkout/index.js';
import { adjustStock, createLocation } from '../src/modules/inventory/index.js';
import { systemActor } from '../src/platform/audit/audit.js';
import { wireModules } from '../src/wiring.js';
import { benchDb } from './support.js';

/** The checkout bench's shop, seeded before any server starts. */

/** Variants the cart/checkout ops pick from at random, each with more stock than a run can sell. */
export const VARIANTS = Number(process.env.BENCH_CHECKOUT_VARIANTS ?? 20);
export const PLENTY = 10_000_000;
export const FLASH_BUYERS = 500;
export const FLASH_UNITS = 100;
export const FLASH_IN_FLIGHT = 64;

export interface Shop {
  regionId: string;
  optionId: string;
  locationId: string;
  variantIds: string[];
  flashVariantId: string;
  flashItemId: string;
  /** A second flash variant (100 units) for the bare server's flash sale. */
  baseFlash: { variantId: string; itemId: string };
}

export const address = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
  countryCode: 'DE',
};

/**
 * The shop, set up in-process through the modules' own service functions (what the admin routes call; no admin
 * token needed): a location, region DE (EUR, prices with tax), 19% VAT, a flat 4.90 shipping option, VARIANTS
 * products at 19.99 EUR with 10 million units each, and the flash product with 100 units.
 */
export async function seedShop(databaseUrl: string): Promise<Shop> {
  const handle = await benchDb(databaseUrl);
  try {
    const db = handle.db;
    const deps = wireModules(db);
    const location = await createLocation(deps.inventory, systemActor, { code: 'bench', name: 'Bench warehouse' });
    const region = await createRegion(db, systemActor, {
      name: 'Germany',
      currency: 'EUR',
      countries: ['DE'],
      taxInclusive: true,
    });
    await createTaxRate(db, systemActor, { countryCode: 'DE', name: 'VAT', rate: 19000 });
    const option = await createShippingOption(db, systemActor, region.id, {
      name: 'Standard',
      stockLocationId: location.id,
      price: { kind: 'flat', amount: 490 },
    });
    const product = async (n: string, units: number) => {
      const p = await createProduct(deps.catalog, systemActor, {
        title: `Bench thing ${n}`,
        handle: `bench-thing-${n}`,
        status: 'active',
        categoryIds: [],
        salesChannelIds: ['sc_default'],
        variants: [{ sku: `BENCH-${n}`, prices: [{ currency: 'EUR', amount: 1999 }] }],
      });
      const variantId = p.variants[0]?.id as string;
      const item = await db
        .selectFrom('inventory_item')
        .select('id')
        .where('variant_id', '=', variantId)
        .executeTakeFirstOrThrow();
      await adjustStock(deps.inventory, systemActor, item.id, {
        locationId: location.id,
        delta: units,
        reason: 'received',
      });
      return { variantId, itemId: item.id };
    };
    const variantIds: string[] = [];
    for (let i = 0; i < VARIANTS; i++) variantIds.push((await product(String(i), PLENTY)).variantId);
    const flash = await product('flash', FLASH_UNITS);
    const baseFlash = await product('flash-baseline', FLASH_UNITS);
    await sql`analyze`.execute(db);
    return {
      regionId: region.id,
      optionId: option.id,
      locationId: location.id,
      variantIds,
      flashVariantId: flash.variantId,
      flashItemId: flash.itemId,
      baseFlash,
    };
  } finally {
    await handle.close();
  }
}
