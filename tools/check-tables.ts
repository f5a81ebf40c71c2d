/**
 * Table ownership, checked (`npm run check:tables`): no module reads or writes another module's tables.
 *
 * Who owns a table is read from the code, not from a list kept by hand: every table is declared by
 * merging it into the shared Kysely `Database` interface (`declare module '…/platform/db/database.js'
 * { interface Database { … } }`), usually in `src/modules/<m>/*.tables.ts`; the folder of the file
 * that declares it is its owner (`src/platform/**` → `platform`). The declarations are parsed with the
 * TypeScript compiler API.
 *
 * Then every non-test source file of a module (and of the platform) is scanned for the tables it names:
 * - Kysely calls: `selectFrom`, `updateTable`, `insertInto`, `deleteFrom`, `mergeInto`, the joins
 *   (`innerJoin`, `leftJoin`, … `…Lateral`), `using`, and `sql.table(…)`, with a string or an array of
 *   strings, aliases (`'order as o'`) and schema prefixes (`public.order`) included;
 * - SQL text: `sql` tagged templates and `sql.raw(…)` strings, after `from` (and its comma list),
 *   `join`, `update`, `into`, `using`, `table`; quoted names (`"order"`) too; SQL comments and string
 *   literals are skipped.
 * A file may name only its own module's tables. Platform tables (outbox_event, idempotency_key,
 * audit_log, notification) are used by modules through platform functions (`appendEvent`,
 * `recordAudit`, `queueNotification`, …), never by SQL of their own; the platform names no module's
 * table. Foreign keys are fine: migrations, the app wiring and workers are not scanned.
 *
 * Usage: `tsx tools/check-tables.ts [root]` — prints one line per violation (file:line, the table, its
 * owner) and exits 1, or prints a one-line summary and exits 0.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export interface SourceText {
  /** Path relative to the project root, with `/` separators (`src/modules/orders/orders.sql.ts`). */
  path: string;
  text: string;
}

export interface TableOwner {
  owner: string;
  /** The file that declares the table. */
  path: string;
}

export interface TableReference {
  table: string;
  line: number;
  /** How the table is named: the Kysely method (`selectFrom`) or `sql` for SQL text. */
  via: string;
}

export interface Violation extends TableReference {
  path: string;
  /** The module (or `platform`) whose file names the table. */
  user: string;
  owner: string;
}

/** Who a source file belongs to: `src/modules/<m>/…` → `<m>`, `src/platform/…` → `platform`; others are not checked. */
export function ownerOfPath(path: string): string | null {
  const m = /^src\/modules\/([^/]+)\//.exec(path);
  if (m) return m[1]!;
  return path.startsWith('src/platform/') ? 'platform' : null;
}

const isTestFile = (path: string) => /(^|\/)__tests__\//.test(path) || /\.test\.ts$/.test(path);

const parse = (file: SourceText) => ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);

const propertyNames = (members: ts.NodeArray<ts.TypeElement>) =>
  members.flatMap((m) =>
    ts.isPropertySignature(m) && m.name && !ts.isComputedPropertyName(m.name) ? [m.name.text] : [],
  );

/** The table names one file merges into `Database` (an `extends X` must name an interface or type literal of the same file). */
function declaredTables(sf: ts.SourceFile): string[] {
  const tables: string[] = [];
  const localTypes = new Map<string, ts.NodeArray<ts.TypeElement>>();
  const visitLocal = (node: ts.Node) => {
    if (ts.isInterfaceDeclaration(node)) localTypes.set(node.name.text, node.members);
    if (ts.isTypeAliasDeclaration(node) && ts.isTypeLiteralNode(node.type))
      localTypes.set(node.name.text, node.type.members);
    ts.forEachChild(node, visitLocal);
  };
  visitLocal(sf);

  const visit = (node: ts.Node) => {
    if (
      ts.isModuleDeclaration(node) &&
      ts.isStringLiteral(node.name) &&
      /(^|\/)db\/database\.js$/.test(node.name.text) &&
      node.body &&
      ts.isModuleBlock(node.body)
    ) {
      for (const stmt of node.body.statements) {
        if (!ts.isInterfaceDeclaration(stmt) || stmt.name.text !== 'Database') continue;
        tables.push(...propertyNames(stmt.members));
        for (const clause of stmt.heritageClauses ?? []) {
          for (const t of clause.types) {
            const name = t.expression.getText(sf);
            const members = localTypes.get(name);
            // Refuse to guess: a table list we cannot read would silently leave tables unowned.
            if (!members)
              throw new Error(`${sf.fileName}: Database extends ${name}, which is not declared in this file`);
            tables.push(...propertyNames(members));
          }
        }
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return tables;
}

/** Every table of the shared `Database` type and who owns it. Throws if two owners declare the same table. */
export function tableOwners(files: SourceText[]): Map<string, TableOwner> {
  const owners = new Map<string, TableOwner>();
  for (const file of files) {
    const owner = ownerOfPath(file.path);
    if (!owner || isTestFile(file.path) || !file.text.includes('interface Database')) continue;
    for (const table of declaredTables(parse(file))) {
      const seen = owners.get(table);
      if (seen && seen.owner !== owner) {
        throw new Error(`table ${table} is declared by ${seen.path} (${seen.owner}) and ${file.path} (${owner})`);
      }
      owners.set(table, { owner, path: file.path });
    }
  }
  return owners;
}

const kyselyMethods = new Set([
  'selectFrom',
  'updateTable',
  'insertInto',
  'replaceInto',
  'deleteFrom',
  'mergeInto',
  'using',
  'innerJoin',
  'leftJoin',
  'rightJoin',
  'fullJoin',
  'crossJoin',
  'innerJoinLateral',
  'leftJoinLateral',
  'crossJoinLateral',
]);

/** `'public.order as o'` → `order`. */
const tableOfKyselyArg = (s: string) =>
  s
    .trim()
    .split(/\s+as\s+/i)[0]!
    .replace(/^public\./, '')
    .replace(/^"(.*)"$/, '$1');

interface Token {
  text: string;
  pos: number;
}

/** Identifiers (quoted ones unquoted), `,`, `(`, `.` of one piece of SQL text; comments and string literals dropped. */
function sqlTokens(text: string, offset: number): Token[] {
  const tokens: Token[] = [];
  const re = /--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*)|([,(.])|\s+|[\s\S]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) tokens.push({ text: m[1].replace(/""/g, '"'), pos: offset + m.index });
    else if (m[2] !== undefined) tokens.push({ text: m[2].toLowerCase(), pos: offset + m.index });
    else if (m[3] !== undefined) tokens.push({ text: m[3], pos: offset + m.index });
    else if (!/^\s/.test(m[0]) && !m[0].startsWith('--') && !m[0].startsWith('/*') && !m[0].startsWith("'")) {
      tokens.push({ text: m[0], pos: offset + m.index });
    }
  }
  return tokens;
}

const tableKeywords = new Set(['from', 'join', 'update', 'into', 'using', 'table']);
// Words that may stand between a keyword and the table (`from only x`, `lock table only x`).
const skipWords = new Set(['only', 'lateral']);
const aliasStop = new Set([
  'where',
  'join',
  'inner',
  'left',
  'right',
  'full',
  'cross',
  'on',
  'using',
  'group',
  'order',
  'having',
  'limit',
  'offset',
  'for',
  'window',
  'union',
  'returning',
  'set',
  'natural',
  'lateral',
]);

/** Table names in SQL text: after a keyword, and the rest of a `from a x, b y` list. */
function sqlTableNames(tokens: Token[]): Token[] {
  const names: Token[] = [];
  // The name at i (with an optional `schema.` prefix); returns the index after it, or -1.
  const nameAt = (i: number): number => {
    while (tokens[i] && skipWords.has(tokens[i]!.text)) i++;
    const t = tokens[i];
    if (!t || !/^[^,(.?]/.test(t.text)) return -1;
    if (tokens[i + 1]?.text === '.' && tokens[i + 2]) {
      names.push(tokens[i + 2]!);
      return i + 3;
    }
    names.push(t);
    return i + 1;
  };
  for (let i = 0; i < tokens.length; i++) {
    const keyword = tokens[i]!.text;
    if (!tableKeywords.has(keyword)) continue;
    let next = nameAt(i + 1);
    // `from a x, b y`: a comma-separated from list names more tables (skip a function's argument list).
    while (keyword === 'from' && next > 0) {
      let j = next;
      if (tokens[j]?.text === '(') break;
      if (tokens[j]?.text === 'as') j++;
      if (tokens[j] && /^[A-Za-z_]/.test(tokens[j]!.text) && !aliasStop.has(tokens[j]!.text)) j++;
      if (tokens[j]?.text !== ',') break;
      next = nameAt(j + 1);
    }
  }
  return names;
}

const isSqlTag = (e: ts.Expression) => ts.isIdentifier(e) && e.text === 'sql';

/** The SQL text of one file (`sql` templates, `sql.raw` strings) as token lists, and its Kysely table-naming calls. */
function scan(file: SourceText): {
  sql: Token[][];
  calls: { method: string; arg: ts.StringLiteralLike }[];
  sf: ts.SourceFile;
} {
  const sf = parse(file);
  const sqlTexts: Token[][] = [];
  const calls: { method: string; arg: ts.StringLiteralLike }[] = [];
  // Interpolations become `?`: `from ${x}` names no table, and pieces never join into one word.
  const fromSql = (parts: { text: string; pos: number }[]) =>
    sqlTexts.push(
      parts.flatMap((p, i) => [...(i > 0 ? [{ text: '?', pos: p.pos }] : []), ...sqlTokens(p.text, p.pos)]),
    );
  const stringsOf = (arg: ts.Expression | undefined): ts.StringLiteralLike[] => {
    if (!arg) return [];
    if (ts.isStringLiteralLike(arg)) return [arg];
    if (ts.isArrayLiteralExpression(arg)) return arg.elements.flatMap((e) => stringsOf(e));
    return [];
  };
  // +1 skips the opening quote or backtick, or the closing brace of a `${…}`.
  const piece = (lit: ts.LiteralLikeNode) => ({
    text: (lit as ts.TemplateLiteralLikeNode).rawText ?? lit.text,
    pos: lit.getStart(sf) + 1,
  });
  const templatePieces = (tpl: ts.TemplateLiteral | ts.StringLiteral) =>
    ts.isTemplateExpression(tpl) ? [tpl.head, ...tpl.templateSpans.map((s) => s.literal)].map(piece) : [piece(tpl)];

  const visit = (node: ts.Node) => {
    if (ts.isTaggedTemplateExpression(node) && isSqlTag(node.tag)) fromSql(templatePieces(node.template));
    else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = node.expression.expression;
      const arg = node.arguments[0];
      if (isSqlTag(receiver) && method === 'raw') {
        if (
          arg &&
          (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg) || ts.isTemplateExpression(arg))
        ) {
          fromSql(templatePieces(arg));
        }
      } else if ((isSqlTag(receiver) && method === 'table') || (!isSqlTag(receiver) && kyselyMethods.has(method))) {
        for (const s of stringsOf(arg)) calls.push({ method, arg: s });
      } else if (method === 'createTable') {
        for (const s of stringsOf(arg)) calls.push({ method, arg: s });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { sql: sqlTexts, calls, sf };
}

/** The tables one source file names, with their lines. */
export function tableReferences(file: SourceText): TableReference[] {
  const { sql, calls, sf } = scan(file);
  const found: (TableReference & { pos: number })[] = [];
  const add = (table: string, pos: number, via: string) =>
    found.push({ table, line: sf.getLineAndCharacterOfPosition(pos).line + 1, via, pos });
  for (const tokens of sql) for (const t of sqlTableNames(tokens)) add(t.text, t.pos, 'sql');
  for (const { method, arg } of calls) {
    if (method !== 'createTable') add(tableOfKyselyArg(arg.text), arg.getStart(sf), method);
  }
  // In source order, so the report reads top to bottom.
  return found.sort((a, b) => a.pos - b.pos).map(({ pos: _, ...ref }) => ref);
}

/** The tables a migration creates (`create table [if not exists] x`, `createTable('x')`). */
export function createdTables(file: SourceText): string[] {
  const { sql, calls } = scan(file);
  const tables = calls.filter((c) => c.method === 'createTable').map((c) => tableOfKyselyArg(c.arg.text));
  for (const tokens of sql) {
    for (let i = 0; i + 2 < tokens.length; i++) {
      if (tokens[i]!.text !== 'create' || tokens[i + 1]!.text !== 'table') continue;
      let j = i + 2;
      if (tokens[j]?.text === 'if' && tokens[j + 1]?.text === 'not' && tokens[j + 2]?.text === 'exists') j += 3;
      if (tokens[j + 1]?.text === '.') j += 2;
      if (tokens[j] && /^[^,(.?]/.test(tokens[j]!.text)) tables.push(tokens[j]!.text);
    }
  }
  return tables;
}

/** Every reference by a module (or the platform) to a table that someone else owns. */
export function checkTables(files: SourceText[]): {
  owners: Map<string, TableOwner>;
  violations: Violation[];
  /** Tables a migration creates that no `Database` declaration owns (so nobody's use of them is checked). */
  undeclared: { table: string; path: string }[];
} {
  const owners = tableOwners(files);
  const violations: Violation[] = [];
  const undeclared = files
    .filter((f) => f.path.startsWith('src/migrations/'))
    .flatMap((f) => createdTables(f).map((table) => ({ table, path: f.path })))
    .filter((t) => !owners.has(t.table));
  for (const file of files) {
    const user = ownerOfPath(file.path);
    if (!user || isTestFile(file.path)) continue;
    for (const ref of tableReferences(file)) {
      const owner = owners.get(ref.table)?.owner;
      if (owner && owner !== user) violations.push({ ...ref, path: file.path, user, owner });
    }
  }
  return { owners, violations, undeclared };
}

/** The `.ts` files under `src/modules`, `src/platform` and `src/migrations` of a project root. */
export function readSources(root: string): SourceText[] {
  const files: SourceText[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        files.push({ path: relative(root, full).split(sep).join('/'), text: readFileSync(full, 'utf8') });
      }
    }
  };
  for (const dir of ['src/modules', 'src/platform', 'src/migrations'])
    if (existsSync(join(root, dir))) walk(join(root, dir));
  return files;
}

export function formatViolation(v: Violation): string {
  return `${v.path}:${v.line}  ${v.user} names table ${v.table} (owned by ${v.owner}) via ${v.via}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? process.cwd();
  const { owners, violations, undeclared } = checkTables(readSources(root));
  for (const v of violations) console.error(formatViolation(v));
  for (const u of undeclared) {
    console.error(`${u.path}  creates table ${u.table}, which no module declares in its *.tables.ts (owner unknown)`);
  }
  if (violations.length + undeclared.length > 0) {
    console.error(
      `check-tables: ${violations.length} reference(s) to another module's table, ${undeclared.length} undeclared table(s)`,
    );
    process.exit(1);
  }
  console.error(`check-tables: ${owners.size} tables, each named only by its owner`);
}
