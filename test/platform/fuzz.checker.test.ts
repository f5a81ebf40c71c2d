import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRequest, IdPool, type OpenApiDoc, ResponseChecker, targets } from './fuzz.support.js';
import { mutate, prng, type Schema, validValue, valueArb } from './fuzz.values.js';

/** The fuzzer's own parts, on a small document: a checker that let everything through would prove nothing. */
const Body: Schema = {
  type: 'object',
  required: ['name', 'quantity'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 20 },
    quantity: { type: 'integer', minimum: 1, maximum: 999 },
    note: { anyOf: [{ type: 'null' }, { type: 'string', pattern: '\\S' }] },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    at: { type: 'string', format: 'date-time' },
  },
  additionalProperties: false,
};

const doc: OpenApiDoc = {
  paths: {
    '/things/{id}': {
      post: {
        parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string', maxLength: 100 } }],
        requestBody: { content: { 'application/json': { schema: Body } } },
        responses: {
          '200': { content: { 'application/json': { schema: Body } } },
          '204': {},
          '4XX': { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        },
      },
    },
  },
  components: {
    schemas: { Problem: { type: 'object', required: ['status', 'code'], properties: { code: { type: 'string' } } } },
  },
};
const [target] = targets(doc);
const json = (statusCode: number, body: unknown, type = 'application/json') => ({
  statusCode,
  headers: { 'content-type': `${type}; charset=utf-8` },
  body: JSON.stringify(body),
});

describe('schema fuzzer: response checker', () => {
  const checker = new ResponseChecker(doc);

  it('accepts documented answers: a matching 200, an empty 204, a problem+json 404 with a code', () => {
    expect(checker.check(target!, json(200, { name: 'a', quantity: 3, note: null }))).toEqual([]);
    expect(checker.check(target!, { statusCode: 204, headers: {}, body: '' })).toEqual([]);
    expect(checker.check(target!, json(404, { status: 404, code: 'NOT_FOUND' }, 'application/problem+json'))).toEqual(
      [],
    );
  });

  it('flags a 5xx, an undocumented status, a body off its schema, a plain-JSON 4xx and a problem without a code', () => {
    expect(checker.check(target!, json(500, { status: 500, code: 'X' }, 'application/problem+json'))).toEqual([
      'status 500',
      'status 500 not documented',
    ]);
    expect(checker.check(target!, json(201, { name: 'a', quantity: 1 }))).toEqual(['status 201 not documented']);
    expect(checker.check(target!, json(200, { name: 'a', quantity: 0 }))[0]).toMatch(/schema mismatch at \/quantity/);
    expect(checker.check(target!, json(200, { name: 'a', quantity: 1, extra: 1 }))[0]).toMatch(/additional/);
    expect(checker.check(target!, json(400, { status: 400, code: 'BAD' }))).toEqual([
      '4xx with content-type "application/json"',
      'content-type "application/json" not documented for 400',
    ]);
    expect(checker.check(target!, json(400, { status: 400 }, 'application/problem+json'))).toEqual([
      '4xx problem without a code',
      expect.stringMatching(/schema mismatch/),
    ]);
    expect(checker.check(target!, { statusCode: 200, headers: { 'content-type': 'text/csv' }, body: 'a,b' })).toEqual([
      'content-type "text/csv" not documented for 200',
    ]);
  });
});

describe('schema fuzzer: values', () => {
  const checker = new ResponseChecker(doc);
  const valid = (v: unknown) => checker.check(target!, json(200, v)).length === 0;

  it('draws values that satisfy the schema, the same ones for the same seed', () => {
    fc.assert(fc.property(valueArb(Body), (v) => valid(v)));
    expect(validValue(Body, 42)).toEqual(validValue(Body, 42));
  });

  it('breaks a valid value with every kind of mutation so the schema no longer holds', () => {
    const r = prng(7);
    const base = { name: 'abc', quantity: 5, currency: 'EUR' };
    for (const kind of ['wrong-type', 'boundary', 'unknown-field', 'missing-required', 'whole-body'] as const) {
      for (let i = 0; i < 20; i++) {
        const { value, label } = mutate(Body, base, kind, r);
        expect(valid(value), `${kind}: ${label}`).toBe(false);
      }
    }
    expect(mutate(Body, base, 'nul-or-surrogate', r).value).not.toEqual(base);
    expect(mutate(Body, base, 'long-string', r).value).not.toEqual(base);
  });

  it('builds a request with a real id for the path and replays it from the same seed', () => {
    const pool = new IdPool(new Set());
    const one = buildRequest(target!, pool, prng(3), false, 3);
    expect(buildRequest(target!, pool, prng(3), false, 3)).toEqual(one);
    expect(one.label).toBe('valid');
    expect(valid(JSON.parse(String(one.payload)))).toBe(true);
  });
});
