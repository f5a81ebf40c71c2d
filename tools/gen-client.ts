/**
 * The typed client's API types (`packages/client/src/schema.d.ts`), generated from our own OpenAPI document with
 * openapi-typescript.
 *
 * Usage:
 * - `npm run gen:client` (`tsx tools/gen-client.ts`): rebuilds the document in-process and rewrites the file;
 * - `npm run check:client` (`tsx tools/gen-client.ts --check`): generates into a temp file and exits 1, naming
 *   both files, when the committed one differs (a route or schema changed without regenerating the client).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { buildOpenApiDocument } from './gen-client.document.js';

const root = fileURLToPath(new URL('..', import.meta.url));
export const schemaFile = join(root, 'packages/client/src/schema.d.ts');

const HEADER = `${COMMENT_HEADER}// Generated from Backroom's OpenAPI document by \`npm run gen:client\` (tools/gen-client.ts).\n\n`;

/** The text of schema.d.ts for the current routes. */
export async function generateSchemaTypes(): Promise<string> {
  const document = await buildOpenApiDocument();
  const ast = await openapiTS(document as unknown as OpenAPI3, { silent: true });
  return HEADER + astToString(ast);
}

async function main(check: boolean): Promise<number> {
  const text = await generateSchemaTypes();
  const shown = relative(process.cwd(), schemaFile);
  if (!check) {
    writeFileSync(schemaFile, text);
    process.stdout.write(`wrote ${shown}\n`);
    return 0;
  }
  let committed = '';
  try {
    committed = readFileSync(schemaFile, 'utf8');
  } catch {
    // A missing file is reported as out of date below.
  }
  if (committed === text) {
    process.stdout.write(`${shown} matches the API document\n`);
    return 0;
  }
  const fresh = join(mkdtempSync(join(tmpdir(), 'backroom-client-')), 'schema.d.ts');
  writeFileSync(fresh, text);
  process.stderr.write(
    `${shown} is out of date: the API document has changed since it was generated.\n` +
      `Run \`npm run gen:client\` and commit the result (see the difference: diff ${shown} ${fresh}).\n`,
  );
  return 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.includes('--check'));
}
