import { describe, expect, it } from 'vitest';
import { entityTags, ifNoneMatchMatches } from '../../src/platform/http/if-none-match.js';

describe('If-None-Match (RFC 9110 §13.1.2)', () => {
  it('reads lists of strong and weak tags, with or without spaces', () => {
    expect(entityTags('"a", W/"b",W/"c" ,"d"')).toEqual({ any: false, tags: ['a', 'b', 'c', 'd'] });
    expect(entityTags('*')).toEqual({ any: true, tags: [] });
    expect(entityTags(' * , "a"')).toEqual({ any: true, tags: ['a'] });
    // A comma is a valid etagc: it does not split a quoted tag.
    expect(entityTags('"a,b", "c"')).toEqual({ any: false, tags: ['a,b', 'c'] });
    expect(entityTags('""')).toEqual({ any: false, tags: [''] });
  });

  it('skips malformed members and keeps the well-formed ones', () => {
    expect(entityTags('garbage, "a"')).toEqual({ any: false, tags: ['a'] });
    expect(entityTags('"a b", "c"')).toEqual({ any: false, tags: ['c'] });
    expect(entityTags('W/, "c"')).toEqual({ any: false, tags: ['c'] });
    expect(entityTags('"a" junk, "b"')).toEqual({ any: false, tags: ['a', 'b'] });
    expect(entityTags('*x, "b"')).toEqual({ any: false, tags: ['b'] });
    expect(entityTags('"unterminated, "b"')).toEqual({ any: false, tags: [] }); // a space is no etagc
    expect(entityTags('"open')).toEqual({ any: false, tags: [] });
    expect(entityTags('')).toEqual({ any: false, tags: [] });
    expect(entityTags(',,, ,')).toEqual({ any: false, tags: [] });
  });

  it('compares weakly: W/ on either side does not matter', () => {
    expect(ifNoneMatchMatches('"x"', 'W/"x"')).toBe(true);
    expect(ifNoneMatchMatches('W/"x"', '"x"')).toBe(true);
    expect(ifNoneMatchMatches('W/"x"', 'W/"x"')).toBe(true);
    expect(ifNoneMatchMatches('"y", W/"x"', 'W/"x"')).toBe(true);
    expect(ifNoneMatchMatches('"y"', 'W/"x"')).toBe(false);
    expect(ifNoneMatchMatches('"X"', 'W/"x"')).toBe(false);
  });

  it('matches * and several headers as one list; nothing when the header is absent', () => {
    expect(ifNoneMatchMatches('*', 'W/"x"')).toBe(true);
    expect(ifNoneMatchMatches(['"a"', 'W/"x"'], 'W/"x"')).toBe(true);
    expect(ifNoneMatchMatches(undefined, 'W/"x"')).toBe(false);
    expect(ifNoneMatchMatches('', 'W/"x"')).toBe(false);
  });

  it('never throws on arbitrary input', () => {
    const alphabet = ['"', 'W', '/', ',', ' ', '*', 'x', '\t', '\u00ff', '\\'];
    for (let i = 0; i < 2000; i++) {
      const len = i % 17;
      let s = '';
      for (let j = 0; j < len; j++) s += alphabet[(i * 7 + j * 13 + ((i * j) % 5)) % alphabet.length];
      expect(() => ifNoneMatchMatches(s, 'W/"x"')).not.toThrow();
    }
  });
});
