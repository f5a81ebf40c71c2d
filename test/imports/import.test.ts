import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportProductsCsv, importProductsCsv, runNextImportJob } from '../../src/modules/imports/index.js';
import { createLocation } from '../../src/modules/inventory/index.js';
import { systemActor } from '../../src/platform/audit/audit.js';
import { wireModules } from '../../src/wiring.js';
import { auth, customRole, staffSession } from '../identity/staff.helpers.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let deps: ReturnType<typeof wireModules>;
let run = '';
beforeAll(async () => {
  t = await createTestApp();
  deps = wireModules(t.db.db);
  run = Date.now().toString(36);
  await createLocation(deps.inventory, systemActor, { code: 'main', name: 'Main warehouse' });
  await createLocation(deps.inventory, systemActor, { code: 'store-2', name: 'Shop floor' });
});
afterAll(async () => {
  await t?.close();
});

const header =
  'handle,title,description,status,tags,option1_name,option1_value,sku,barcode,weight_grams,price_EUR,compare_at_EUR,price_USD,stock_main,stock_store-2';
const csv = (rows: string[]) => `${[header, ...rows].join('\n')}\n`;
const sample = () =>
  csv([
    `tee-${run},Basic Tee,Soft tee,active,cotton|summer,Size,S,TEE-${run}-S,,180,1999,2999,2199,10,2`,
    `tee-${run},,,,,Size,M,TEE-${run}-M,,190,1999,,2199,5,`,
    `mug-${run},Mug,,draft,,,,MUG-${run},B${run},350,1200,,,0,0`,
  ]);

const count = async (table: 'product' | 'variant' | 'variant_price' | 'stock_movement') =>
  Number(
    (
      await t.db.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const snapshot = async () => [
  await count('product'),
  await count('variant'),
  await count('variant_price'),
  await count('stock_movement'),
];
const onHand = async (sku: string) =>
  (
    await t.db.db
      .selectFrom('inventory_level as l')
      .innerJoin('inventory_item as i', 'i.id', 'l.item_id')
      .innerJoin('stock_location as s', 's.id', 'l.location_id')
      .select(['s.code', 'l.on_hand'])
      .where('i.sku', '=', sku)
      .orderBy('s.code')
      .execute()
  ).map((r) => [r.code, r.on_hand]);

describe('importing the product CSV', () => {
  it('creates products, variants, prices and stock, published to the default channel; a re-run changes nothing more', async () => {
    const first = await importProductsCsv(deps, sample(), { ctx: systemActor, referenceId: 'imp_test' });
    expect(first).toMatchObject({
      status: 'done',
      totalRows: 3,
      processedRows: 3,
      productsCreated: 2,
      productsUpdated: 0,
      errors: [],
    });
    expect(first.stockLevelsChanged).toBe(3);
    const tee = await t.db.db
      .selectFrom('product')
      .selectAll()
      .where('handle', '=', `tee-${run}`)
      .executeTakeFirstOrThrow();
    expect(tee).toMatchObject({ title: 'Basic Tee', status: 'active', tags: ['cotton', 'summer'] });
    const channels = await t.db.db
      .selectFrom('product_channel')
      .select('sales_channel_id')
      .where('product_id', '=', tee.id)
      .execute();
    expect(channels).toEqual([{ sales_channel_id: 'sc_default' }]);
    expect(await onHand(`TEE-${run}-S`)).toEqual([
      ['main', 10],
      ['store-2', 2],
    ]);
    const ledger = await t.db.db
      .selectFrom('stock_movement')
      .select(['reason', 'reference_type', 'reference_id'])
      .where('reference_id', '=', 'imp_test')
      .execute();
    expect(ledger.every((m) => m.reason === 'received' && m.reference_type === 'import')).toBe(true);

    const before = await snapshot();
    const again = await importProductsCsv(deps, sample(), { ctx: systemActor });
    expect(again).toMatchObject({ status: 'done', productsCreated: 0, productsUpdated: 2, stockLevelsChanged: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it('sets (not adds) stock on re-import, writing a correction when it goes down', async () => {
    await importProductsCsv(deps, sample(), { ctx: systemActor });
    const lower = sample().replace(`TEE-${run}-S,,180,1999,2999,2199,10,2`, `TEE-${run}-S,,180,1999,2999,2199,4,2`);
    const report = await importProductsCsv(deps, lower, { ctx: systemActor });
    expect(report.stockLevelsChanged).toBe(1);
    expect(await onHand(`TEE-${run}-S`)).toEqual([
      ['main', 4],
      ['store-2', 2],
    ]);
  });

  it('rejects a file with any invalid row, reporting each problem by row and column, and writes nothing', async () => {
    const bad = csv([
      `good-${run},Good,,active,,,,GOOD-${run},,,100,,,1,`,
      `BAD HANDLE,Bad,,active,,,,BAD-${run},,,100,,,1,`,
      `price-${run},Price,,active,,,,PRICE-${run},,,abc,50,,1,`,
      `dup-${run},Dup,,active,,,,GOOD-${run},,,100,,,1,`,
    ]);
    const before = await snapshot();
    const report = await importProductsCsv(deps, bad, { ctx: systemActor });
    expect(report.status).toBe('rejected');
    expect(report.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 3, column: 'handle' }),
        expect.objectContaining({ row: 4, column: 'price_EUR' }),
        expect.objectContaining({ row: 4, column: 'compare_at_EUR' }),
        expect.objectContaining({ row: 5, column: 'sku' }),
      ]),
    );
    expect(await snapshot()).toEqual(before);

    const partial = await importProductsCsv(deps, bad, { ctx: systemActor, partial: true });
    expect(partial).toMatchObject({ status: 'done', productsCreated: 1, skippedProducts: 2 });
  });

  it('refuses unknown columns, locations and a SKU owned by another product', async () => {
    const before = await snapshot();
    const unknownColumn = await importProductsCsv(deps, 'handle,sku,colour\nx,y,red\n', { ctx: systemActor });
    expect(unknownColumn.errors).toEqual([{ row: 1, column: 'colour', message: 'unknown column' }]);
    const unknownLocation = await importProductsCsv(deps, `handle,title,sku,stock_mars\nm-${run},M,M-${run},1\n`, {
      ctx: systemActor,
    });
    expect(unknownLocation.errors[0]).toMatchObject({ row: 1, column: 'stock_mars' });
    await importProductsCsv(deps, sample(), { ctx: systemActor });
    const mid = await snapshot();
    const stolen = await importProductsCsv(deps, `handle,title,sku\nthief-${run},Thief,MUG-${run}\n`, {
      ctx: systemActor,
    });
    expect(stolen.errors).toEqual([{ row: 2, column: 'sku', message: `belongs to product mug-${run}` }]);
    const barcode = await importProductsCsv(deps, `handle,title,sku,barcode\nscan-${run},Scan,SCAN-${run},B${run}\n`, {
      ctx: systemActor,
    });
    expect(barcode.errors).toEqual([{ row: 2, column: 'barcode', message: `belongs to variant MUG-${run}` }]);
    expect(await snapshot()).toEqual(mid);
    expect(before.length).toBe(4);
  });

  it('exports every product in the same format; importing the export changes nothing', async () => {
    await importProductsCsv(deps, sample(), { ctx: systemActor });
    let text = '';
    for await (const chunk of exportProductsCsv(deps)) text += chunk;
    const lines = text.trim().split('\n');
    expect(lines[0]).toContain('handle,title,description,status,tags,categories,collections,channels');
    expect(lines[0]).toContain('stock_main');
    expect(lines.some((l) => l.startsWith(`tee-${run},Basic Tee`))).toBe(true);
    const before = await snapshot();
    const report = await importProductsCsv(deps, text, { ctx: systemActor });
    expect(report.status, JSON.stringify(report.errors.slice(0, 3))).toBe('done');
    expect(report.stockLevelsChanged).toBe(0);
    expect(await snapshot()).toEqual(before);
  });
});

describe('import jobs over HTTP', () => {
  const upload = (token: string, body: string, query = '') =>
    t.app.inject({
      method: 'POST',
      url: `/v1/admin/imports${query}`,
      headers: { ...auth(token), 'content-type': 'text/csv' },
      payload: body,
    });

  it('is documented as a text/csv upload in /openapi.json, the only body the route parses as a file', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const body = doc.paths['/v1/admin/imports'].post.requestBody;
    expect(Object.keys(body.content)).toEqual(['text/csv']);
    expect(body.content['text/csv'].schema).toMatchObject({ type: 'string', minLength: 1 });
  });

  it('queues the upload (202), a worker runs it, and the job reports progress and counts', async () => {
    const { token } = await staffSession(t, 'role_catalog_manager');
    const file = sample().replaceAll(run, `${run}h`);
    const res = await upload(token, file);
    expect(res.statusCode, res.body).toBe(202);
    const job = res.json<{ id: string; status: string }>();
    expect(job.status).toBe('queued');
    expect(await runNextImportJob(deps)).toBe(true);
    const done = await t.app.inject({ method: 'GET', url: `/v1/admin/imports/${job.id}`, headers: auth(token) });
    expect(done.json()).toMatchObject({
      status: 'done',
      totalRows: 3,
      processedRows: 3,
      productsCreated: 2,
      errorCount: 0,
    });
    expect(await runNextImportJob(deps)).toBe(false);
  });

  it('a rejected file reports its errors on the job; a stale running job is picked up again', async () => {
    const { token } = await staffSession(t, 'role_catalog_manager');
    const res = await upload(token, 'handle,title,sku\nNOPE,X,X1\n');
    const id = res.json<{ id: string }>().id;
    await runNextImportJob(deps);
    const job = (await t.app.inject({ method: 'GET', url: `/v1/admin/imports/${id}`, headers: auth(token) })).json();
    expect(job).toMatchObject({ status: 'rejected', errorCount: 1, errors: [{ row: 2, column: 'handle' }] });

    const stale = (await upload(token, `handle,title,sku\nstale-${run},Stale,STALE-${run}\n`)).json<{ id: string }>()
      .id;
    await t.db.db
      .updateTable('import_job')
      .set({ status: 'running', claimed_until: new Date(Date.now() - 1000) })
      .where('id', '=', stale)
      .execute();
    expect(await runNextImportJob(deps)).toBe(true);
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/admin/imports/${stale}`, headers: auth(token) })).json(),
    ).toMatchObject({ status: 'done' });
  });

  it('needs catalog:write, and inventory:adjust when the file has stock columns', async () => {
    const writer = (await staffSession(t, await customRole(t, ['catalog:write', 'catalog:read']))).token;
    expect((await upload(writer, sample())).statusCode).toBe(403);
    expect((await upload(writer, `handle,title,sku\nok-${run},Ok,OK-${run}\n`)).statusCode).toBe(202);
    const reader = (await staffSession(t, await customRole(t, ['catalog:read']))).token;
    expect((await upload(reader, `handle,title,sku\nno-${run},No,NO-${run}\n`)).statusCode).toBe(403);
    const exported = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/exports/products.csv',
      headers: auth(reader),
    });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toContain('text/csv');
    expect(exported.body.split('\n')[0]).toContain('handle');
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/admin/imports',
          headers: { 'content-type': 'text/csv' },
          payload: 'x',
        })
      ).statusCode,
    ).toBe(401);
  });
});
