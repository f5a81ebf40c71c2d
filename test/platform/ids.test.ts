import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type IdKind, idPrefixes, idTimestamp, isId, newId } from '../../src/platform/ids.js';

const kinds = Object.keys(idPrefixes) as IdKind[];
const kind = fc.constantFrom(...kinds);
/** TypeID: the prefix, `_`, then 26 characters of Crockford base32, the first at most `7`. */
const shape = /^([a-z]+)_[0-7][0-9a-hjkmnp-tv-z]{25}$/;

describe('ids', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives every kind its own prefix', () => {
    const prefixes = Object.values(idPrefixes);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const p of prefixes) expect(p).toMatch(/^[a-z]+$/);
  });

  it('makes ids of the shape <prefix>_<26 base32 characters> that isId accepts for their kind only', () => {
    fc.assert(
      fc.property(kind, (k) => {
        const id = newId(k);
        expect(id).toMatch(shape);
        expect(id.startsWith(`${idPrefixes[k]}_`)).toBe(true);
        for (const other of kinds) expect(isId(other, id)).toBe(other === k);
      }),
    );
  });

  it('sorts ids by creation time: an id made at least 1 ms later sorts after', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let clock = Date.UTC(2030, 0, 1);
    fc.assert(
      fc.property(
        fc.array(fc.record({ kind, gapMs: fc.integer({ min: 1, max: 86_400_000 }) }), { minLength: 2, maxLength: 20 }),
        (steps) => {
          const made = steps.map(({ kind: k, gapMs }) => {
            clock += gapMs;
            vi.setSystemTime(clock);
            return { at: clock, id: newId(k) };
          });
          for (const { at, id } of made) expect(idTimestamp(id)).toBe(at);
          // Compare the part after the prefix: that is what a cursor or an index orders by.
          const suffixes = made.map(({ id }) => id.slice(id.indexOf('_') + 1));
          expect([...suffixes].sort()).toEqual(suffixes);
        },
      ),
    );
  });

  it('sorts same-kind ids made within one millisecond in creation order, without collisions', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2031, 0, 1));
    const ids = Array.from({ length: 1000 }, () => newId('order'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('rejects anything that is not a well-formed id', () => {
    const good = newId('order');
    const suffix = good.slice(good.indexOf('_') + 1);
    for (const bad of [
      '',
      'ord',
      'ord_',
      suffix,
      good.toUpperCase(),
      `ord_${suffix.slice(1)}`,
      `ord_${suffix}x`,
      `ord_8${suffix.slice(1)}`, // more than 128 bits
      `ord_${suffix.slice(0, -1)}u`, // u is not in Crockford base32
      ` ${good}`,
      `${good}\n`,
      `prod_${suffix}`,
    ]) {
      expect(isId('order', bad), JSON.stringify(bad)).toBe(false);
    }
    fc.assert(
      fc.property(fc.string(), kind, (s, k) => {
        if (!shape.test(s)) expect(isId(k, s)).toBe(false);
      }),
    );
  });
});
