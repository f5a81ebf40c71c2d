import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrations } from './migrations/index.js';
import { createDb } from './platform/db/create-db.js';
import { migrateToLatest } from './platform/db/migrate.js';

/**
 * A migrated embedded-database image, made once by `npm install` (the build step) and copied into
 * a new `BACKROOM_DATA_DIR` on first start. PGlite's initdb takes 4–12 s on a busy 2-core machine;
 * unpacking the image takes about 1–2 s, so a fresh `npm start` is ready well within 10 s.
 * Migrations added after the image was built still run on start as usual.
 */
const IMAGE = fileURLToPath(new URL('../dist/embedded-image.tar.gz', import.meta.url));

/** The image to seed `dataDir` with, or undefined when the folder already holds a database. */
export function embeddedImageFor(dataDir: string): Blob | undefined {
  if (existsSync(join(resolve(dataDir), 'PG_VERSION')) || !existsSync(IMAGE)) return undefined;
  return new Blob([readFileSync(IMAGE)]);
}

export async function buildEmbeddedImage(): Promise<void> {
  const handle = await createDb({ dataDir: 'memory://', poolMax: 1, lockTimeoutMs: 5000, statementTimeoutMs: 600_000 });
  try {
    await migrateToLatest(handle.db, migrations);
    const image = await handle.pglite?.dumpDataDir('gzip');
    if (!image) throw new Error('embedded database did not produce an image');
    writeFileSync(IMAGE, Buffer.from(await image.arrayBuffer()));
  } finally {
    await handle.close();
  }
}

// `node dist/embedded-image.js` (run by `npm run build`).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildEmbeddedImage();
}
