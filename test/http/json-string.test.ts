import { describe, expect, it } from 'vitest';
import { jsonString } from '../../src/http/protocols/shape.js';

describe('jsonString', () => {
  it('quotes exactly as JSON.stringify does, escaping or not', () => {
    const cases = ['01a2340c-d611-7021-ae98-3288f26f2175', 'flag:stable', '', 'a"b', 'back\\slash', 'line\nbreak', '\u0000', 'é', '\ud800', '~ok~', 'tab\there'];
    for (const s of cases) expect(jsonString(s), JSON.stringify(s)).toBe(JSON.stringify(s));
  });
});
