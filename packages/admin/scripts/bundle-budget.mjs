#!/usr/bin/env node
/**
 * The admin's JavaScript budget (issue 15: initial JS ≤ 200 KB gzip). Reads Vite's manifest
 * (dist/.vite/manifest.json), sums the gzip size of the entry and every chunk it imports statically (recursively:
 * what the browser must load before the first page renders), lists every lazy chunk, and exits 1 over budget.
 * Usage: node scripts/bundle-budget.mjs [--budget-kb 200]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const flag = process.argv.indexOf('--budget-kb');
const budgetKb = flag > 0 ? Number(process.argv[flag + 1]) : 200;
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));

const gzipKb = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length / 1024;
const rawKb = (file) => readFileSync(join(dist, file)).length / 1024;

const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry);
if (entries.length === 0) {
  console.error('bundle-budget: no entry in the manifest');
  process.exit(1);
}

// The initial set: entries and their static imports, recursively.
const initial = new Set();
const visit = (key) => {
  if (initial.has(key)) return;
  initial.add(key);
  for (const dep of manifest[key]?.imports ?? []) visit(dep);
};
for (const [key] of entries) visit(key);

const rows = [];
const seen = new Set();
for (const [key, chunk] of Object.entries(manifest)) {
  if (!chunk.file.endsWith('.js') || seen.has(chunk.file)) continue;
  seen.add(chunk.file);
  rows.push({ kind: initial.has(key) ? 'initial' : 'lazy', name: chunk.src ?? chunk.name ?? key, file: chunk.file });
}
const css = new Set();
for (const key of initial) for (const file of manifest[key]?.css ?? []) css.add(file);

const pad = (s, n) => String(s).padEnd(n);
const num = (n) => n.toFixed(1).padStart(8);
rows.sort((a, b) => (a.kind === b.kind ? gzipKb(b.file) - gzipKb(a.file) : a.kind === 'initial' ? -1 : 1));
const out = [`${pad('kind', 8)} ${'raw KB'.padStart(8)} ${'gzip KB'.padStart(8)}  chunk`];
let initialGzip = 0;
for (const r of rows) {
  const g = gzipKb(r.file);
  if (r.kind === 'initial') initialGzip += g;
  out.push(`${pad(r.kind, 8)} ${num(rawKb(r.file))} ${num(g)}  ${r.name} (${r.file})`);
}
let cssGzip = 0;
for (const file of css) cssGzip += gzipKb(file);
out.push('');
out.push(
  `initial JS: ${initialGzip.toFixed(1)} KB gzip (budget ${budgetKb} KB); initial CSS: ${cssGzip.toFixed(1)} KB gzip`,
);
process.stdout.write(`${out.join('\n')}\n`);
if (initialGzip > budgetKb) {
  console.error(`bundle-budget: the initial JavaScript is ${initialGzip.toFixed(1)} KB gzip, over ${budgetKb} KB`);
  process.exit(1);
}
