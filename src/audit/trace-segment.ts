import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { readRequestId, recordLength } from './trace-codec.js';

/** A hex digit's value, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/**
 * The 52-bit key of a UUIDv7 (`xxxxxxxx-xxxx-7xxx-...`, either case): hex digits 0-7, 9-12 and 15,
 * its 48-bit timestamp and 4 more bits. Read digit by digit (no regex, no slices); undefined for
 * anything else.
 */
function uuidV7Key(id: string): number | undefined {
  if (id.length < 19 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(14) !== 55 || id.charCodeAt(18) !== 45) return undefined;
  let key = 0;
  for (let i = 0; i < 18; i++) {
    if (i === 8 || i === 13 || i === 14) continue;
    const v = hexValue(id.charCodeAt(i));
    if (v < 0) return undefined;
    if (i !== 16 && i !== 17) key = key * 16 + v;
  }
  return key;
}

/**
 * The index key of a request id, 52 bits (a safe integer). A UUIDv7 (what the gateway mints)
 * gives its 48-bit timestamp and 4 more bits, so keys grow with time; any other id gets two
 * 32-bit FNV-1a style hashes joined. Not unique: lookups compare the stored request id too.
 */
export function requestKey(id: string): number {
  const uuid = uuidV7Key(id);
  if (uuid !== undefined) return uuid;
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 12) & 0xfffff);
}

/**
 * One trace segment: `trace-<seq>.log` (records, append-only) and, once sealed, `trace-<seq>.idx`
 * (u32 count, then the sorted f64 keys, then their u32 offsets). While a segment is active its
 * index is two typed arrays in append order; sealing sorts it once, so appends never pay for an
 * ordered index.
 */
export class TraceSegment {
  /**
   * Active segments: request keys and record offsets in append order, in typed arrays. Appending
   * is two stores (no hashing, nothing for the garbage collector to trace, unlike a Map of 100k+
   * entries); a lookup scans backwards (~0.1 ms for a full segment), newest first.
   */
  private keys: Float64Array | undefined = new Float64Array(16 * 1024);
  private offs = new Uint32Array(16 * 1024);
  private count = 0;
  firstAtMs = Number.POSITIVE_INFINITY;
  lastAtMs = 0;

  constructor(
    readonly seq: number,
    readonly logPath: string,
    readonly idxPath: string,
    /** Bytes appended (written or queued). */
    public bytes = 0,
  ) {}

  get sealed(): boolean {
    return this.keys === undefined;
  }

  add(key: number, offset: number, atMs: number): void {
    let keys = this.keys as Float64Array;
    if (this.count === keys.length) {
      const bigger = new Float64Array(keys.length * 2);
      bigger.set(keys);
      const offs = new Uint32Array(keys.length * 2);
      offs.set(this.offs);
      this.keys = keys = bigger;
      this.offs = offs;
    }
    keys[this.count] = key;
    this.offs[this.count++] = offset;
    if (atMs < this.firstAtMs) this.firstAtMs = atMs;
    if (atMs > this.lastAtMs) this.lastAtMs = atMs;
  }

  /** Write the sorted index file and drop the in-memory one (the log is complete on disk). */
  seal(): void {
    const keys = this.keys;
    if (!keys) return;
    const n = this.count;
    // Minted ids arrive almost sorted: V8's TimSort makes this close to linear.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
    const buf = Buffer.alloc(4 + 8 + 8 + n * 12);
    buf.writeUInt32LE(n, 0);
    buf.writeDoubleLE(this.firstAtMs, 4);
    buf.writeDoubleLE(this.lastAtMs, 12);
    order.forEach((i, r) => {
      buf.writeDoubleLE(keys[i] as number, 20 + r * 8);
      buf.writeUInt32LE(this.offs[i] as number, 20 + n * 8 + r * 4);
    });
    writeFileSync(this.idxPath, buf);
    this.keys = undefined;
    this.offs = new Uint32Array(0);
    this.count = 0;
  }

  /** Offsets of records whose key matches, newest first. */
  offsets(key: number): number[] {
    const keys = this.keys;
    if (!keys) return this.searchIndexFile(key).reverse();
    const found: number[] = [];
    for (let i = this.count - 1; i >= 0; i--) if (keys[i] === key) found.push(this.offs[i] as number);
    return found;
  }

  /** Binary search of the sorted keys with positioned reads: a lookup reads ~17 x 8 bytes, not the file. */
  private searchIndexFile(key: number): number[] {
    const fd = openSync(this.idxPath, 'r');
    try {
      const head = Buffer.alloc(20);
      readSync(fd, head, 0, 20, 0);
      const n = head.readUInt32LE(0);
      const cell = Buffer.alloc(8);
      const keyAt = (i: number) => (readSync(fd, cell, 0, 8, 20 + i * 8), cell.readDoubleLE(0));
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keyAt(mid) < key) lo = mid + 1;
        else hi = mid;
      }
      const found: number[] = [];
      for (let i = lo; i < n && keyAt(i) === key; i++) {
        readSync(fd, cell, 0, 4, 20 + n * 8 + i * 4);
        found.push(cell.readUInt32LE(0));
      }
      return found;
    } finally {
      closeSync(fd);
    }
  }

  /** Read one record's bytes, or undefined when the offset holds no whole record. */
  read(offset: number): Buffer | undefined {
    const fd = openSync(this.logPath, 'r');
    try {
      const len = Buffer.alloc(4);
      if (readSync(fd, len, 0, 4, offset) < 4) return undefined;
      const buf = Buffer.alloc(len.readUInt32LE(0));
      if (buf.length < 4 || readSync(fd, buf, 0, buf.length, offset) < buf.length) return undefined;
      return recordLength(buf, 0) === buf.length ? buf : undefined;
    } finally {
      closeSync(fd);
    }
  }

  /** A segment found on disk: its index file's time range, or (a crash left no index) a scan that builds one. */
  static open(seq: number, logPath: string, idxPath: string): TraceSegment {
    const seg = new TraceSegment(seq, logPath, idxPath, statSync(logPath).size);
    try {
      const head = Buffer.alloc(20);
      const fd = openSync(idxPath, 'r');
      try {
        readSync(fd, head, 0, 20, 0);
      } finally {
        closeSync(fd);
      }
      seg.firstAtMs = head.readDoubleLE(4);
      seg.lastAtMs = head.readDoubleLE(12);
      seg.keys = undefined;
      return seg;
    } catch {
      seg.rebuild();
      return seg;
    }
  }

  private rebuild(): void {
    const fd = openSync(this.logPath, 'r');
    try {
      const buf = Buffer.alloc(this.bytes);
      readSync(fd, buf, 0, buf.length, 0);
      let at = 0;
      for (let n = recordLength(buf, at); n > 0; at += n, n = recordLength(buf, at)) {
        this.add(requestKey(readRequestId(buf, at)), at, buf.readDoubleLE(at + 8));
      }
      this.bytes = at;
    } finally {
      closeSync(fd);
    }
    this.seal();
  }
}
