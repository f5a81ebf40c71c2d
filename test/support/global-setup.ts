import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { migrations } from '../../src/migrations/index.js';
import { createDb } from '../../src/platform/db/create-db.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { adminSql, databaseUrl } from './pg-admin.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string | null;
    embeddedImagePath: string | null;
  }
}

/**
 * Without TEST_DATABASE_URL: one migrated embedded-database image for the whole run, written to a
 * temp file that every worker copies per test file. It starts from the image `npm install` built
 * (dist/embedded-image.tar.gz) when present, so the run pays PGlite's slow initdb at most once.
 */
async function buildEmbeddedTestImage(): Promise<string> {
  const shipped = fileURLToPath(new URL('../../dist/embedded-image.tar.gz', import.meta.url));
  const handle = await createDb({
    dataDir: 'memory://',
    poolMax: 1,
    lockTimeoutMs: 5000,
    statementTimeoutMs: 600_000,
    ...(existsSync(shipped) ? { loadDataDir: new Blob([readFileSync(shipped)]) } : {}),
  });
  try {
    await migrateToLatest(handle.db, migrations);
    const image = await handle.pglite?.dumpDataDir('none');
    if (!image) throw new Error('embedded database produced no image');
    const path = join(tmpdir(), `backroom-test-${process.pid}-${Date.now().toString(36)}.tar`);
    writeFileSync(path, Buffer.from(await image.arrayBuffer()));
    return path;
  } finally {
    await handle.close();
  }
}

/**
 * With TEST_DATABASE_URL, builds one migrated template database for this run; each test file
 * then gets its own copy (`CREATE DATABASE … TEMPLATE`, a file copy: milliseconds), so files never
 * see each other's rows and concurrent runs on one server never interfere (names carry a run id).
 */
export default async function setup(project: TestProject) {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const image = await buildEmbeddedTestImage();
    project.provide('templateDatabase', null);
    project.provide('embeddedImagePath', image);
    return () => rmSync(image, { force: true });
  }
  project.provide('embeddedImagePath', null);
  const template = `bk_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = adminSql(base);
  await admin.unsafe(`create database "${template}"`);
  const handle = await createDb({
    url: databaseUrl(base, template),
    dataDir: '',
    poolMax: 2,
    lockTimeoutMs: 5000,
    statementTimeoutMs: 60_000,
  });
  await migrateToLatest(handle.db, migrations);
  await handle.close();
  await admin.unsafe(`alter database "${template}" is_template true`);
  project.provide('templateDatabase', template);

  return async () => {
    // Drop this run's databases (test files drop their own; this catches crashed ones).
    const rows = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`bk_t_${template.slice(7)}%`} or datname = ${template}`;
    for (const { datname } of rows) {
      if (datname === template) await admin.unsafe(`alter database "${datname}" is_template false`);
      await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    }
    await admin.end();
  };
}
