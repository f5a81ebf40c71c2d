import AjvCompiler from '@fastify/ajv-compiler';

/**
 * How request schemas are compiled, for every route:
 * - path and query values are text by nature, so they are coerced to the schema's types (`?limit=20`); JSON bodies
 *   carry their own types and are not: `"quantity": "2"` is a 400 naming `/body/quantity`, not a silent 2;
 * - every integer without an explicit bound is bounded to the safe-integer range (±9,007,199,254,740,991). Past it a
 *   JSON number loses units and `1e21` reaches SQL as the text `1e+21` (a 500); now it is 422 `VALUE_OUT_OF_RANGE`
 *   naming the field (see {@link isImplicitBound}).
 */

const SAFE = Number.MAX_SAFE_INTEGER;

const isInteger = (node: Record<string, unknown>) =>
  node.type === 'integer' || (Array.isArray(node.type) && node.type.includes('integer'));

/** Keywords whose content is data, not schemas. */
const valueKeywords = new Set(['const', 'default', 'enum', 'examples']);

/** A copy of `schema` where every integer lacking a bound gets the safe-integer one. */
export function boundIntegers(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(boundIntegers);
  if (!schema || typeof schema !== 'object') return schema;
  const node = schema as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    copy[key] = valueKeywords.has(key) ? value : boundIntegers(value);
  }
  if (isInteger(node)) {
    if (node.maximum === undefined && node.exclusiveMaximum === undefined) copy.maximum = SAFE;
    if (node.minimum === undefined && node.exclusiveMinimum === undefined) copy.minimum = -SAFE;
  }
  return copy;
}

/** Whether an Ajv error is the implicit safe-integer bound (→ 422 `VALUE_OUT_OF_RANGE`, as the database answers). */
export function isImplicitBound(e: { keyword?: string; params?: Record<string, unknown> }): boolean {
  return (
    (e.keyword === 'maximum' && e.params?.limit === SAFE) || (e.keyword === 'minimum' && e.params?.limit === -SAFE)
  );
}

/** The `schemaController.compilersFactory.buildValidator` of the app (Fastify's own Ajv compiler, twice). */
export function buildValidator(): AjvCompiler.BuildCompilerFromPool {
  const pool = AjvCompiler();
  return (externalSchemas, options) => {
    const coercing = pool(externalSchemas, options);
    const strict = pool(externalSchemas, {
      ...options,
      customOptions: { ...options?.customOptions, coerceTypes: false },
    } as typeof options);
    return (route) =>
      compiledOnFirstUse(() =>
        (route.httpPart === 'body' ? strict : coercing)({ ...route, schema: boundIntegers(route.schema) as object }),
      );
  };
}

type Validate = ReturnType<ReturnType<AjvCompiler.BuildCompilerFromPool>>;

/**
 * A route's validator, compiled by its first request instead of at start: compiling every route's
 * schemas with Ajv was ~15 % of the time `serve` took to become ready (0.7 s of 4.4 s on a busy
 * machine), for routes most processes never serve. Same function once compiled: its arguments,
 * `schemaEnv` and a failed validation's `errors` (which Fastify reads from the function) pass through.
 */
function compiledOnFirstUse(compile: () => Validate): Validate {
  let compiled: Validate | undefined;
  const get = () => {
    compiled ??= compile();
    return compiled;
  };
  const validate = ((...args: Parameters<Validate>) => get()(...args)) as unknown as Validate;
  // Fastify hands Ajv functions (which have `schemaEnv`) the parent object so coercion can replace a
  // root value; it asks before the first call, which is when the schema is compiled.
  Object.defineProperty(validate, 'schemaEnv', { get: () => get().schemaEnv, configurable: true });
  Object.defineProperty(validate, 'errors', { get: () => compiled?.errors, configurable: true });
  return validate;
}
