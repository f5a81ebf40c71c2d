import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { type IdKind, idPrefixes, newId } from '../../src/platform/ids.js';
import {
  brokenParam,
  type MutationKind,
  mutate,
  mutationKinds,
  type Rng,
  type Schema,
  validValue,
} from './fuzz.values.js';

/**
 * The schema fuzzer's request maker and response checker, driven by `/openapi.json`: every
 * operation there is one target; a request is built from its documented parameters and body (valid,
 * or with one mutation), and every answer is checked against the responses the operation documents.
 */

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}
interface Media {
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

export interface Target {
  method: string;
  path: string;
  op: Operation;
}

/** Every operation of the document, in document order. */
export function targets(doc: OpenApiDoc): Target[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

/** The id kind a path parameter names: by its own name, else by the path segment before it. */
const segmentKinds: Record<string, IdKind> = {
  events: 'event',
  addresses: 'address',
  'api-keys': 'apiKey',
  staff: 'staff',
  roles: 'role',
  'sales-channels': 'salesChannel',
  products: 'product',
  variants: 'variant',
  categories: 'category',
  collections: 'collection',
  locations: 'stockLocation',
  items: 'inventoryItem',
  regions: 'region',
  'tax-rates': 'taxRate',
  'shipping-options': 'shippingOption',
  promotions: 'promotion',
  carts: 'cart',
  lines: 'cartLine',
  orders: 'order',
  fulfillments: 'fulfillment',
  returns: 'returnRequest',
  imports: 'importJob',
};
const paramKinds: Record<string, IdKind> = {
  variantId: 'variant',
  lineId: 'cartLine',
  fulfillmentId: 'fulfillment',
  idOrHandle: 'product',
};
/** Parameters that are names rather than ids: a few real values to pick from. */
const namedValues: Record<string, string[]> = {
  provider: ['stripe', 'paypal', 'manual', 'test'],
  code: ['WELCOME10', 'NOPE'],
  'if-match': ['1', '2', '3'],
};

export function paramKind(path: string, name: string): IdKind | undefined {
  if (paramKinds[name]) return paramKinds[name];
  const segments = path.split('/');
  const i = segments.indexOf(`{${name}}`);
  return segmentKinds[segments[i - 1] ?? ''];
}

const ID = /^([a-z]+)_[0-7][0-9a-hjkmnp-tv-z]{25}$/;

/** Real ids seen in responses, by prefix, so valid requests reach existing resources. */
export class IdPool {
  private readonly byPrefix = new Map<string, string[]>();
  constructor(private readonly protectedIds: Set<string>) {}
  /** Collects every id-shaped string in a response body, except the fuzzer's own principals. */
  harvest(body: unknown): void {
    if (typeof body === 'string') {
      const m = ID.exec(body);
      if (!m || this.protectedIds.has(body)) return;
      const list = this.byPrefix.get(m[1]!) ?? [];
      if (!list.includes(body)) list.push(body);
      if (list.length > 200) list.shift();
      this.byPrefix.set(m[1]!, list);
    } else if (Array.isArray(body)) for (const v of body) this.harvest(v);
    else if (body && typeof body === 'object') for (const v of Object.values(body)) this.harvest(v);
  }
  pick(kind: IdKind, r: Rng): string | undefined {
    const list = this.byPrefix.get(idPrefixes[kind]);
    return list?.length ? r.pick(list) : undefined;
  }
  size(): number {
    return [...this.byPrefix.values()].reduce((n, l) => n + l.length, 0);
  }
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** What was broken ('valid' when nothing). */
  label: string;
}

const enc = (v: unknown) => encodeURIComponent(String(v));

/** Bodies no serializer would write: bad bytes, bad syntax, deep nesting, a prototype key. */
const rawBodies: [string, string | Buffer][] = [
  ['invalid UTF-8', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')])],
  ['truncated JSON', '{"name": "x", "quantity": '],
  ['nested 5,000 deep', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ['a 400-digit number', `{"quantity": 1${'0'.repeat(400)}}`],
  ['a __proto__ key', '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}'],
  ['duplicate keys', '{"name": "a", "name": "b"}'],
];

/**
 * One request for `t`: valid values for every part, then, when `broken`, one mutation in one part
 * (path id, query, header or body). `seed` makes the generated values reproducible.
 */
export function buildRequest(t: Target, pool: IdPool, r: Rng, broken: boolean, seed: number): FuzzRequest {
  const params = t.op.parameters ?? [];
  const media = t.op.requestBody?.content ?? {};
  const [contentType, body] = Object.entries(media)[0] ?? [];
  const parts = [
    ...params.map((p) => p.in),
    ...(body ? ['body', 'body', 'body'] : []),
    ...(params.some((p) => p.in === 'query') ? [] : ['query']),
  ];
  const brokenPart = broken ? r.pick(parts) : undefined;
  const brokenParamName =
    brokenPart && brokenPart !== 'body' ? r.pick(params.filter((p) => p.in === brokenPart)) : undefined;
  let label = broken ? '' : 'valid';

  let url = t.path;
  const query: string[] = [];
  const headers: Record<string, string> = {};
  for (const [i, p] of params.entries()) {
    const kind = p.in === 'path' ? paramKind(t.path, p.name) : undefined;
    let value: string;
    if (p === brokenParamName) {
      value = brokenParam(p.schema, r, kind ? idPrefixes[kind] : undefined);
      if (kind && r.chance(0.3)) value = newId(kind);
      label = `${p.in} ${p.name}=${value.slice(0, 40)}`;
    } else if (p.in === 'path') {
      const real = kind ? pool.pick(kind, r) : namedValues[p.name] && r.pick(namedValues[p.name]!);
      value = real && r.chance(0.85) ? real : String(validValue(p.schema, seed + i));
    } else {
      if (!p.required && r.chance(0.5)) continue;
      const named = namedValues[p.name];
      value = named && r.chance(0.7) ? r.pick(named) : String(validValue(p.schema, seed + i));
    }
    if (p.in === 'path') url = url.replace(`{${p.name}}`, p === brokenParamName ? value : enc(value));
    else if (p.in === 'query') query.push(`${p.name}=${p === brokenParamName ? value : enc(value)}`);
    else headers[p.name] = value.replace(/[^\x20-\x7e]/g, '?');
  }
  if (brokenPart === 'query' && !brokenParamName) {
    query.push(`fuzzUnknown=${enc('x')}`);
    label = 'query unknown parameter';
  }
  if (query.length) url += `?${query.join('&')}`;
  // Mutating POSTs accept Idempotency-Key: a few keys shared across the run (replays and reuse with
  // another body) and, now and then, a malformed one.
  if (t.method === 'POST' && r.chance(0.25)) {
    headers['idempotency-key'] = r.chance(0.8) ? `fuzz-${r.int(40)}` : r.pick(['x'.repeat(256), 'has space', '']);
  }

  let payload: string | Buffer | undefined;
  if (body?.schema && contentType) {
    const schema = body.schema;
    let value = validValue(schema, seed + 100);
    if (brokenPart === 'body') {
      const kind: MutationKind | 'raw' = r.chance(0.08) ? 'raw' : r.pick(mutationKinds);
      if (kind === 'raw') {
        const [name, raw] = r.pick(rawBodies);
        payload = raw;
        label = `body ${name}`;
      } else ({ value, label } = mutate(schema, value, kind, r));
      label = label.startsWith('body') ? label : `body ${label}`;
    }
    headers['content-type'] = contentType;
    if (brokenPart === 'body' && r.chance(0.05)) {
      headers['content-type'] = r.pick([
        'text/plain',
        'application/json; charset=latin1',
        'application/x-www-form-urlencoded',
      ]);
      label = `body sent as ${headers['content-type']}`;
    }
    payload ??= contentType.includes('json') ? JSON.stringify(value) : String(value);
  }
  return { method: t.method, url, headers, ...(payload !== undefined ? { payload } : {}), label };
}

/** Documented response schemas compiled once per (operation, status, media type). */
export class ResponseChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false });
  private readonly compiled = new Map<string, ValidateFunction>();
  constructor(private readonly doc: OpenApiDoc) {
    addFormats.default(this.ajv);
  }

  /** The problems with one response, or [] when it is what the document promises. */
  check(t: Target, res: { statusCode: number; headers: Record<string, unknown>; body: string }): string[] {
    const status = res.statusCode;
    const type = String(res.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    const problems: string[] = [];
    if (status >= 500) problems.push(`status ${status}`);
    if (status >= 400 && status < 500) {
      if (type !== 'application/problem+json') problems.push(`4xx with content-type "${type}"`);
      else if (!this.json(res.body)?.code) problems.push('4xx problem without a code');
    }
    const keys = [String(status), `${String(status)[0]}XX`, 'default'];
    const documented = keys.map((k) => t.op.responses[k]).find(Boolean);
    if (!documented) return [...problems, `status ${status} not documented`];
    const content = documented.content;
    if (!content || status === 204 || res.body === '') {
      if (res.body !== '' && !content) problems.push(`status ${status} documents no body but one came`);
      else if (res.body === '' && content && status !== 204) problems.push(`status ${status}: empty body`);
      return problems;
    }
    const media = content[type];
    if (!media) return [...problems, `content-type "${type}" not documented for ${status}`];
    if (!type.endsWith('json') || !media.schema) return problems;
    const validate = this.validator(`${t.method} ${t.path} ${status} ${type}`, media.schema);
    const body = this.json(res.body);
    if (body === undefined) return [...problems, 'body is not JSON'];
    if (!validate(body)) {
      const e = validate.errors?.[0];
      problems.push(`schema mismatch at ${e?.instancePath || '/'}: ${e?.message} ${JSON.stringify(e?.params)}`);
    }
    return problems;
  }

  private json(text: string): Record<string, unknown> | undefined {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  private validator(key: string, schema: Schema): ValidateFunction {
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(this.inline(schema) as object);
      this.compiled.set(key, v);
    }
    return v;
  }

  /** The schema with `#/components/schemas/…` references replaced by their targets. */
  private inline(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((n) => this.inline(n));
    if (!node || typeof node !== 'object') return node;
    const ref = (node as Schema).$ref;
    if (ref?.startsWith('#/components/schemas/')) {
      return this.inline(this.doc.components.schemas[ref.slice('#/components/schemas/'.length)]);
    }
    const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, this.inline(v)]));
    delete out.$id;
    return out;
  }
}
