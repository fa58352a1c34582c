import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TraceSegment, requestKey } from '../../src/audit/trace-segment.js';
import { uuidV7 } from '../../src/core/uuid-v7.js';
import { tempDir } from '../support/fixtures.js';

/** The index file as first defined: keys sorted, ties in append order, then their offsets. */
function referenceIndex(keys: number[], offsets: number[], firstAtMs: number, lastAtMs: number): Buffer {
  const n = keys.length;
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
  const buf = Buffer.alloc(20 + n * 12);
  buf.writeUInt32LE(n, 0);
  buf.writeDoubleLE(firstAtMs, 4);
  buf.writeDoubleLE(lastAtMs, 12);
  order.forEach((i, r) => {
    buf.writeDoubleLE(keys[i] as number, 20 + r * 8);
    buf.writeUInt32LE(offsets[i] as number, 20 + n * 8 + r * 4);
  });
  return buf;
}

/** Append ids in the given order (offset = position), check lookups, seal, compare with the reference. */
function appendAndSeal(ids: string[]): { segment: TraceSegment; sealed: Buffer; expected: Buffer } {
  const dir = tempDir('modelgate-segment-');
  const logPath = join(dir, 'trace-1.log');
  writeFileSync(logPath, '');
  const segment = new TraceSegment(1, logPath, join(dir, 'trace-1.idx'));
  const keys = ids.map(requestKey);
  const offsets = ids.map((_, i) => i * 100);
  ids.forEach((_, i) => segment.add(keys[i] as number, offsets[i] as number, 1_000 + i));
  // Before sealing, every record is found by its key, newest first among equal keys.
  for (let i = 0; i < ids.length; i += 97) {
    const key = keys[i] as number;
    const want = offsets.filter((_, j) => keys[j] === key).reverse();
    expect(segment.offsets(key)).toEqual(want);
  }
  segment.seal();
  return { segment, sealed: readFileSync(join(dir, 'trace-1.idx')), expected: referenceIndex(keys, offsets, 1_000, 999 + ids.length) };
}

describe('trace segment index', () => {
  it('keeps minted ids in order as they are answered out of order, and seals the same file as a sort', () => {
    // 20,000 ids minted over a few milliseconds, answered in blocks of up to 64 in reverse.
    const minted = Array.from({ length: 20_000 }, (_, i) => uuidV7(1_800_000_000_000 + Math.floor(i / 24)));
    const answered: string[] = [];
    for (let i = 0; i < minted.length; i += 64) answered.push(...minted.slice(i, i + 64).reverse());
    const { sealed, expected } = appendAndSeal(answered);
    expect(sealed.equals(expected)).toBe(true);
  });

  it('sorts when sealed ids callers chose, in no order, and reused ids stay newest first', () => {
    const ids = Array.from({ length: 6_000 }, (_, i) => `client-${(i * 7919) % 5_000}`);
    const { segment, sealed, expected } = appendAndSeal(ids);
    expect(sealed.equals(expected)).toBe(true);
    expect(segment.sealed).toBe(true);
  });

  it('seals a mix: minted ids first, then one answered far out of order', () => {
    const minted = Array.from({ length: 6_000 }, (_, i) => uuidV7(1_800_000_000_000 + i));
    const late = minted.shift() as string;
    const { sealed, expected } = appendAndSeal([...minted, late, ...minted.slice(0, 10)]);
    expect(sealed.equals(expected)).toBe(true);
  });
});
