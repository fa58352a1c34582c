import { describe, expect, it } from 'vitest';
import { requestKey } from '../../src/audit/trace-segment.js';
import { uuidV7 } from '../../src/core/uuid-v7.js';

describe('minted request ids (UUIDv7)', () => {
  it('are RFC 9562 version-7 UUIDs carrying their millisecond', () => {
    const now = Date.UTC(2026, 10, 27, 8, 0, 0);
    const id = uuidV7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
    expect(new Set(Array.from({ length: 10_000 }, () => uuidV7(now))).size).toBe(10_000);
  });

  it('give trace index keys that grow with time; other ids still get a stable key', () => {
    const keys = [0, 1, 2, 1000].map((d) => requestKey(uuidV7(Date.UTC(2026, 0, 1) + d)));
    expect([...keys].sort((a, b) => a - b)).toEqual(keys);
    expect(new Set(keys).size).toBe(4);
    for (const k of keys) expect(Number.isSafeInteger(k)).toBe(true);
    expect(requestKey('walk-0001')).toBe(requestKey('walk-0001'));
    expect(Number.isSafeInteger(requestKey('walk-0001'))).toBe(true);
  });
});
