import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { createDb, type DbHandle } from '../../src/platform/db/create-db.js';
import type { Metrics } from '../../src/platform/metrics.js';
import { adminSql, databaseUrl } from './pg-admin.js';

export const usingPostgres = Boolean(process.env.TEST_DATABASE_URL);

export interface TestDb extends DbHandle {
  /** postgres:// URL of this test's own database (PostgreSQL runs only). */
  url?: string;
  /** Closes and drops this test's database. */
  destroy(): Promise<void>;
}

let embeddedTemplate: Promise<Blob> | undefined;

/** The run's migrated embedded database image (built once by global setup), copied per test. */
function embeddedImage(): Promise<Blob> {
  embeddedTemplate ??= (async () => {
    const path = inject('embeddedImagePath');
    if (!path) throw new Error('global setup did not build an embedded database image');
    return new Blob([await readFile(path)]);
  })();
  return embeddedTemplate;
}

export interface TestDbOptions {
  metrics?: Metrics;
  poolMax?: number;
  lockTimeoutMs?: number;
  /** Start from an empty database instead of a migrated one (migration tests). */
  empty?: boolean;
}

/**
 * A fresh, migrated database of its own: a copy of the run's template on PostgreSQL
 * (TEST_DATABASE_URL), or an in-memory embedded PostgreSQL otherwise.
 */
export async function createTestDb(opts: TestDbOptions = {}): Promise<TestDb> {
  const settings = {
    poolMax: opts.poolMax ?? 10,
    lockTimeoutMs: opts.lockTimeoutMs ?? 5000,
    statementTimeoutMs: 60_000,
  };
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const handle = await createDb(
      { ...settings, dataDir: 'memory://', ...(opts.empty ? {} : { loadDataDir: await embeddedImage() }) },
      opts.metrics,
    );
    return { ...handle, destroy: () => handle.close() };
  }
  const template = inject('templateDatabase');
  if (!template) throw new Error('global setup did not create a template database');
  const name = `bk_t_${template.slice(7)}_${randomBytes(4).toString('hex')}`;
  const admin = adminSql(base);
  try {
    await admin.unsafe(opts.empty ? `create database "${name}"` : `create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(base, name);
  const handle = await createDb({ ...settings, url, dataDir: '' }, opts.metrics);
  return {
    ...handle,
    url,
    async destroy() {
      await handle.close();
      const a = adminSql(base);
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
