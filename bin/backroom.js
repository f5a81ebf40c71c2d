#!/usr/bin/env node
// Runs the compiled CLI. `npm install` builds dist/ (the `prepare` script), so production start
// never type-checks or transpiles on boot.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));
if (!existsSync(entry)) {
  console.error('backroom: dist/ is missing; run `npm install` (or `npm run build`) first');
  process.exit(1);
}
await import(entry);
