import { endianness } from 'node:os';
import { readRequestId, recordLength } from './trace-codec.js';
import { nodeFiles, type TraceFiles } from './trace-files.js';
import { keyOrder, readIndexHead } from './trace-index.js';

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

/** How far back an append may slide its key to keep the index in order (answers out of mint order). */
const MAX_SLIDE = 4096;
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * One trace segment: `trace-<seq>.log` (records, append-only) and, once sealed, `trace-<seq>.idx`
 * (u32 count, then the sorted f64 keys, then their u32 offsets). While a segment is active its
 * index is two typed arrays kept in key order (ties in append order): the ids the gateway mints
 * grow with time, so an append lands at the end or slides back past the few answered before it.
 * Sealing then copies the arrays out (2-3 ms for a 16 MB segment, on the serving thread; sorting
 * there took 19-39 ms). Ids that callers chose (hashed keys, in no order) stop the sliding, and
 * such a segment is sorted when sealed.
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
  /** Keys are in order (ties in append order) so far. */
  private ordered = true;
  firstAtMs = Number.POSITIVE_INFINITY;
  lastAtMs = 0;
  /** The log file, open for writing while the segment is active (opened at its first write). */
  fd = -1;

  constructor(
    readonly seq: number,
    readonly logPath: string,
    readonly idxPath: string,
    /** Bytes appended (written or queued). */
    public bytes = 0,
    private readonly files: TraceFiles = nodeFiles,
  ) {}

  /** Bytes on disk once sealed: the log and its index. */
  get diskBytes(): number {
    return this.bytes + 20 + this.records * 12;
  }

  /** Records indexed. */
  records = 0;

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
    let at = this.count++;
    this.records++;
    if (this.ordered && at > 0 && (keys[at - 1] as number) > key) at = this.slideBack(keys, at, key);
    keys[at] = key;
    this.offs[at] = offset;
    if (atMs < this.firstAtMs) this.firstAtMs = atMs;
    if (atMs > this.lastAtMs) this.lastAtMs = atMs;
  }

  /**
   * Where a key that arrived after greater ones goes: after the last key not greater than it,
   * the entries behind moved up one. Past MAX_SLIDE (ids in no order) the index stops keeping
   * order and the key stays at the end, for the seal to sort.
   */
  private slideBack(keys: Float64Array, end: number, key: number): number {
    let i = end - 1;
    const stop = Math.max(0, end - MAX_SLIDE);
    while (i > stop && (keys[i - 1] as number) > key) i--;
    if (i === stop && stop > 0 && (keys[i - 1] as number) > key) {
      this.ordered = false;
      return end;
    }
    keys.copyWithin(i + 1, i, end);
    this.offs.copyWithin(i + 1, i, end);
    return i;
  }

  /**
   * Write the sorted index file and drop the in-memory one (the log is complete on disk). Written
   * beside and renamed, so a full disk leaves no torn index; on failure it throws and the
   * in-memory index stays, for a later try.
   */
  seal(): void {
    const keys = this.keys;
    if (!keys) return;
    const n = this.count;
    let sortedKeys = keys.subarray(0, n);
    let sortedOffs = this.offs.subarray(0, n);
    if (!this.ordered) {
      const order = keyOrder(keys, n);
      sortedKeys = new Float64Array(n);
      sortedOffs = new Uint32Array(n);
      for (let r = 0; r < n; r++) {
        const i = order[r] as number;
        sortedKeys[r] = keys[i] as number;
        sortedOffs[r] = this.offs[i] as number;
      }
    }
    const buf = Buffer.alloc(4 + 8 + 8 + n * 12);
    buf.writeUInt32LE(n, 0);
    buf.writeDoubleLE(this.firstAtMs, 4);
    buf.writeDoubleLE(this.lastAtMs, 12);
    if (LITTLE_ENDIAN) {
      // The file is little-endian, as the arrays are here: copy their bytes.
      buf.set(new Uint8Array(sortedKeys.buffer, sortedKeys.byteOffset, n * 8), 20);
      buf.set(new Uint8Array(sortedOffs.buffer, sortedOffs.byteOffset, n * 4), 20 + n * 8);
    } else {
      for (let r = 0; r < n; r++) {
        buf.writeDoubleLE(sortedKeys[r] as number, 20 + r * 8);
        buf.writeUInt32LE(sortedOffs[r] as number, 20 + n * 8 + r * 4);
      }
    }
    const tmp = `${this.idxPath}.tmp`;
    try {
      this.files.writeFile(tmp, buf);
      this.files.rename(tmp, this.idxPath);
    } catch (err) {
      try {
        this.files.remove(tmp);
      } catch {
        // The failure that matters is the one thrown.
      }
      throw err;
    }
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
    let fd: number;
    try {
      fd = this.files.open(this.idxPath, 'r');
    } catch {
      return [];
    }
    try {
      const head = Buffer.alloc(20);
      this.files.read(fd, head, 0, 20, 0);
      const n = head.readUInt32LE(0);
      const cell = Buffer.alloc(8);
      const keyAt = (i: number) => (this.files.read(fd, cell, 0, 8, 20 + i * 8), cell.readDoubleLE(0));
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keyAt(mid) < key) lo = mid + 1;
        else hi = mid;
      }
      const found: number[] = [];
      for (let i = lo; i < n && keyAt(i) === key; i++) {
        this.files.read(fd, cell, 0, 4, 20 + n * 8 + i * 4);
        found.push(cell.readUInt32LE(0));
      }
      return found;
    } finally {
      this.files.close(fd);
    }
  }

  /** Read one record's bytes, or undefined when the offset holds no whole record (or is not on disk yet). */
  read(offset: number): Buffer | undefined {
    let fd: number;
    try {
      fd = this.files.open(this.logPath, 'r');
    } catch {
      return undefined;
    }
    try {
      const len = Buffer.alloc(4);
      if (this.files.read(fd, len, 0, 4, offset) < 4) return undefined;
      const buf = Buffer.alloc(len.readUInt32LE(0));
      if (buf.length < 4 || this.files.read(fd, buf, 0, buf.length, offset) < buf.length) return undefined;
      return recordLength(buf, 0) === buf.length ? buf : undefined;
    } finally {
      this.files.close(fd);
    }
  }

  /**
   * A segment found on disk: its index file's header, when the index is whole (its size matches
   * its count, its dates are sane); otherwise the index is rebuilt by scanning the log. A rebuilt
   * index that cannot be written (a full disk) stays in memory: the caller seals it later. Throws
   * only when the log itself cannot be read.
   */
  static open(seq: number, logPath: string, idxPath: string, files: TraceFiles = nodeFiles): TraceSegment {
    const seg = new TraceSegment(seq, logPath, idxPath, files.size(logPath), files);
    const head = readIndexHead(files, idxPath);
    if (head) {
      seg.firstAtMs = head.firstAtMs;
      seg.lastAtMs = head.lastAtMs;
      seg.records = head.count;
      seg.keys = undefined;
      return seg;
    }
    seg.rebuild();
    return seg;
  }

  /** Index the log's whole records (a crash may have torn the last one: it is left out). */
  private rebuild(): void {
    const fd = this.files.open(this.logPath, 'r');
    try {
      const buf = Buffer.alloc(this.bytes);
      this.files.read(fd, buf, 0, buf.length, 0);
      let at = 0;
      for (let n = recordLength(buf, at); n > 0; at += n, n = recordLength(buf, at)) {
        this.add(requestKey(readRequestId(buf, at)), at, buf.readDoubleLE(at + 8));
      }
      this.bytes = at;
    } finally {
      this.files.close(fd);
    }
  }
}
