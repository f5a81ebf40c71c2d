import fc from 'fast-check';

/**
 * Values for the schema fuzzer: valid ones drawn from a route's JSON Schema (fast-check
 * arbitraries built from the schema, so a seed replays them) and broken ones made from a valid one
 * by a single mutation (wrong type, boundary number, NUL, lone surrogate, huge string, unknown
 * field, missing required field).
 */

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  pattern?: string;
  format?: string;
  default?: unknown;
  $ref?: string;
}

/** A small seeded PRNG (mulberry32): every choice the fuzzer makes comes from it. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    pick<T>(items: readonly T[]): T {
      return items[Math.floor(next() * items.length)]!;
    },
  };
}
export type Rng = ReturnType<typeof prng>;

const branches = (s: Schema) => s.anyOf ?? s.oneOf;
const typeOf = (s: Schema) => (Array.isArray(s.type) ? s.type[0] : s.type) ?? (s.properties ? 'object' : undefined);

function stringArb(s: Schema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? min + 24, min + 24);
  const fits = (v: string) => v.length >= min && v.length <= (s.maxLength ?? Number.POSITIVE_INFINITY);
  if (s.format === 'date-time') {
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
  return fc.string({ minLength: min, maxLength: max });
}

function numberArb(s: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1000);
  const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : Math.max(min, 0) + 100_000);
  return integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** A fast-check arbitrary of values that satisfy `s`. */
export function valueArb(s: Schema): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const options = branches(s);
  if (options) return fc.oneof(...options.map(valueArb));
  if (s.allOf?.[0]) return valueArb(s.allOf[0]);
  switch (typeOf(s)) {
    case 'string':
      return stringArb(s);
    case 'integer':
      return numberArb(s, true);
    case 'number':
      return numberArb(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = valueArb(s.items ?? {});
      const minLength = s.minItems ?? 0;
      const maxLength = Math.min(s.maxItems ?? minLength + 3, minLength + 3);
      return s.uniqueItems
        ? fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
        : fc.array(item, { minLength, maxLength });
    }
    case 'object': {
      const props = s.properties ?? {};
      const model = Object.fromEntries(Object.entries(props).map(([k, p]) => [k, valueArb(p)]));
      return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
    }
    default:
      return fc.oneof(fc.string(), fc.integer(), fc.boolean());
  }
}

/** One valid value for `s`, reproducible from `seed`. */
export function validValue(s: Schema, seed: number): unknown {
  return fc.sample(valueArb(s), { seed, numRuns: 1 })[0];
}

/** Where a mutation can act inside a value: the path to a spot and the schema that spot has. */
interface Spot {
  path: (string | number)[];
  schema: Schema;
  value: unknown;
}

/** The branch of an anyOf/oneOf a value came from (the first whose type fits), or the schema. */
function branchFor(s: Schema, value: unknown): Schema {
  const options = branches(s);
  if (!options) return s;
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const fit = options.find((o) => {
    const t = typeOf(o);
    return t === kind || (kind === 'number' && t === 'integer') || ('const' in o && o.const === value);
  });
  return branchFor(fit ?? options[0]!, value);
}

function spots(s: Schema, value: unknown, path: (string | number)[] = [], out: Spot[] = []): Spot[] {
  const schema = branchFor(s, value);
  out.push({ path, schema, value });
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) spots(schema.items ?? {}, v, [...path, i], out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) spots(schema.properties?.[k] ?? {}, v, [...path, k], out);
  }
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown, remove = false): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) delete node[last];
  else node[last] = value;
  return copy;
}

const wrongTypeFor = (value: unknown): unknown[] =>
  ['not-a-number', 12345, -1.5, true, null, [], [1, 'two'], { nested: { deeper: 'x' } }, ''].filter(
    (v) => typeof v !== typeof value || Array.isArray(v) !== Array.isArray(value),
  );

const boundaries = (s: Schema): unknown[] => [
  ...(s.minimum !== undefined ? [s.minimum - 1] : []),
  ...(s.maximum !== undefined ? [s.maximum + 1] : []),
  1e21,
  -1e21,
  2 ** 53 + 2,
  -1,
  0,
  0.5,
  '1e21',
  '  42',
];

const nasty = ['a\u0000b', '\u0000', '\ud800', 'x\udfffy', '\u202e\ufeff', '💥'.repeat(8), '%00', '../../etc/passwd'];

export const mutationKinds = [
  'wrong-type',
  'boundary',
  'nul-or-surrogate',
  'long-string',
  'unknown-field',
  'missing-required',
  'whole-body',
] as const;
export type MutationKind = (typeof mutationKinds)[number];

/**
 * `value` (valid for `s`) with one mutation of `kind` applied at a spot the rng picks; a kind with
 * nowhere to act falls back to replacing a random spot with a value of the wrong type.
 */
export function mutate(s: Schema, value: unknown, kind: MutationKind, r: Rng): { value: unknown; label: string } {
  const all = spots(s, value);
  const at = (p: (string | number)[]) => `/${p.join('/')}`;
  const of = (pred: (x: Spot) => boolean) => all.filter(pred);
  switch (kind) {
    case 'boundary': {
      const nums = of((x) => typeof x.value === 'number' || ['integer', 'number'].includes(typeOf(x.schema) ?? ''));
      if (!nums.length) break;
      const spot = r.pick(nums);
      const v = r.pick(boundaries(spot.schema));
      return { value: setAt(value, spot.path, v), label: `${kind} ${at(spot.path)}=${String(v)}` };
    }
    case 'nul-or-surrogate':
    case 'long-string': {
      const strs = of((x) => typeof x.value === 'string');
      if (!strs.length) break;
      const spot = r.pick(strs);
      const v =
        kind === 'long-string'
          ? 'x'.repeat(r.pick([(spot.schema.maxLength ?? 255) + 1, 10_000, 200_000]))
          : r.pick(nasty);
      return { value: setAt(value, spot.path, v), label: `${kind} ${at(spot.path)} (${v.length} chars)` };
    }
    case 'unknown-field': {
      const objs = of((x) => !!x.value && typeof x.value === 'object' && !Array.isArray(x.value));
      if (!objs.length) break;
      const spot = r.pick(objs);
      return { value: setAt(value, [...spot.path, 'fuzzUnknown'], 1), label: `${kind} ${at(spot.path)}` };
    }
    case 'missing-required': {
      const holders = of((x) => !!x.value && typeof x.value === 'object' && !!x.schema.required?.length);
      if (!holders.length) break;
      const spot = r.pick(holders);
      const key = r.pick(spot.schema.required!);
      return { value: setAt(value, [...spot.path, key], undefined, true), label: `${kind} ${at([...spot.path, key])}` };
    }
    case 'whole-body': {
      const v = r.pick([null, [], 'text', 0, {}, [value]]);
      return { value: v, label: `${kind} ${JSON.stringify(v)?.slice(0, 20)}` };
    }
    default:
      break;
  }
  const spot = r.pick(all);
  const v = r.pick(wrongTypeFor(spot.value));
  return { value: setAt(value, spot.path, v), label: `wrong-type ${at(spot.path)}=${JSON.stringify(v)}` };
}

/** A broken scalar for a path or query parameter (sent as text). */
export function brokenParam(s: Schema, r: Rng, prefix?: string): string {
  const options = [
    'a%00b',
    '%00',
    '%F0%9F',
    '%ED%A0%80',
    'x'.repeat(r.pick([(s.maxLength ?? 100) + 1, 5000])),
    '-1',
    '1e21',
    '99999999999999999999999',
    '0',
    'true',
    '%20',
    'null',
    ...(prefix ? [`${prefix}_`, `${prefix}_00000000000000000000000000`, `${prefix}_zzzzzzzzzzzzzzzzzzzzzzzzzz`] : []),
    ...(s.minimum !== undefined ? [String(s.minimum - 1)] : []),
    ...(s.maximum !== undefined ? [String(s.maximum + 1)] : []),
  ];
  return r.pick(options);
}
