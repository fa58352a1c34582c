import type { TraceFiles } from './trace-files.js';

// The sealed index file of a trace segment: u32 count, f64 first and last record times, the sorted
// f64 keys, then their u32 offsets (little-endian).

/**
 * Positions 0..n-1 in key order, ties in append order: a least-significant-digit radix sort of
 * the 52-bit keys, four stable passes of 16 bits. For 150,000 keys in no order: 5 ms once
 * optimised, 20-45 ms the first time, where `Array.prototype.sort` with a comparator took ~50 ms.
 */
export function keyOrder(keys: Float64Array, n: number): Uint32Array {
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i] as number;
    const h = Math.floor(k / 0x100000000);
    hi[i] = h;
    lo[i] = k - h * 0x100000000;
  }
  let order = new Uint32Array(n);
  let next = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const start = new Uint32Array(0x10000);
  for (let pass = 0; pass < 4; pass++) {
    const digits = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    start.fill(0);
    for (let i = 0; i < n; i++) {
      const d = ((digits[i] as number) >>> shift) & 0xffff;
      start[d] = (start[d] as number) + 1;
    }
    let sum = 0;
    for (let d = 0; d < 0x10000; d++) {
      const c = start[d] as number;
      start[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const j = order[i] as number;
      const d = ((digits[j] as number) >>> shift) & 0xffff;
      next[start[d] as number] = j;
      start[d] = (start[d] as number) + 1;
    }
    [order, next] = [next, order];
  }
  return order;
}

/** An index file's header, or undefined when the file is missing, torn, empty or not an index. */
export function readIndexHead(files: TraceFiles, idxPath: string): { count: number; firstAtMs: number; lastAtMs: number } | undefined {
  let fd: number;
  try {
    const size = files.size(idxPath);
    if (size < 20) return undefined;
    fd = files.open(idxPath, 'r');
    const head = Buffer.alloc(20);
    try {
      if (files.read(fd, head, 0, 20, 0) < 20) return undefined;
    } finally {
      files.close(fd);
    }
    const count = head.readUInt32LE(0);
    const firstAtMs = head.readDoubleLE(4);
    const lastAtMs = head.readDoubleLE(12);
    if (size !== 20 + count * 12 || count === 0 || !Number.isFinite(firstAtMs) || !(lastAtMs >= firstAtMs) || firstAtMs <= 0) return undefined;
    return { count, firstAtMs, lastAtMs };
  } catch {
    return undefined;
  }
}
