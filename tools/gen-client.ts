/**
 * The typed client's generated files, from our own OpenAPI document:
 * - `packages/client/src/schema.d.ts`: the API's types (openapi-typescript);
 * - `packages/client/src/not-idempotent.ts`: the mutations that take no Idempotency-Key (`x-idempotent: false`),
 *   which the client never repeats after a lost answer.
 *
 * Usage:
 * - `npm run gen:client` (`tsx tools/gen-client.ts`): rebuilds the document in-process and rewrites both files;
 * - `npm run check:client` (`tsx tools/gen-client.ts --check`): generates into a temp folder and exits 1, naming
 *   the files, when a committed one differs (a route or schema changed without regenerating the client).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { buildOpenApiDocument, type OpenApiDocument } from './gen-client.document.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const clientSrc = join(root, 'packages/client/src');
const GENERATED = `// Generated from Backroom's OpenAPI document by \`npm run gen:client\` (tools/gen-client.ts).\n\n`;
const MUTATING = new Set(['post', 'put', 'patch', 'delete']);

/** `METHOD /path/{param}` of every mutation marked `x-idempotent: false`, sorted. */
export function notIdempotentOperations(document: OpenApiDocument): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!MUTATING.has(method) || Array.isArray(operation)) continue;
      if ((operation as Record<string, unknown>)['x-idempotent'] === false) out.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return out.sort();
}

/** The generated files (absolute path → text) for the current routes. */
export async function generateClientFiles(): Promise<Map<string, string>> {
  const document = await buildOpenApiDocument();
  const ast = await openapiTS(structuredClone(document) as unknown as OpenAPI3, { silent: true });
  const operations = notIdempotentOperations(document)
    .map((op) => `  '${op}',\n`)
    .join('');
  return new Map([
    [join(clientSrc, 'schema.d.ts'), COMMENT_HEADER + GENERATED + astToString(ast)],
    [
      join(clientSrc, 'not-idempotent.ts'),
      `${GENERATED}/** Mutations that take no Idempotency-Key (\`x-idempotent: false\`): never repeated after a lost answer. */\n` +
        `export const notIdempotent: ReadonlySet<string> = new Set([\n${operations}]);\n`,
    ],
  ]);
}

function committed(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function main(check: boolean): Promise<number> {
  const files = await generateClientFiles();
  const shown = (path: string) => relative(process.cwd(), path);
  if (!check) {
    for (const [path, text] of files) {
      writeFileSync(path, text);
      process.stdout.write(`wrote ${shown(path)}\n`);
    }
    return 0;
  }
  const stale = [...files].filter(([path, text]) => committed(path) !== text);
  if (stale.length === 0) {
    process.stdout.write(`${[...files.keys()].map(shown).join(', ')}: match the API document\n`);
    return 0;
  }
  const fresh = mkdtempSync(join(tmpdir(), 'backroom-client-'));
  for (const [path, text] of stale) {
    writeFileSync(join(fresh, basename(path)), text);
    process.stderr.write(
      `${shown(path)} is out of date: the API document has changed since it was generated ` +
        `(see the difference: diff ${shown(path)} ${join(fresh, basename(path))}).\n`,
    );
  }
  process.stderr.write('Run `npm run gen:client` and commit the result.\n');
  return 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.includes('--check'));
}
