import type { Worker } from 'node:worker_threads';
import { startWorker } from '../worker-entry.js';
import type { TensorMap } from './tensor.js';
import { knownSha256, rememberSha256, tensorsBytes, tensorsSha256, writeTensors } from './tensor-bytes.js';

/** A job: bytes laid out in `buf` (moved to the thread, moved back with the answer for reuse). */
export interface DigestJob {
  id: number;
  buf: ArrayBuffer;
  length: number;
}

export interface DigestDone {
  id: number;
  digest: string;
  buf: ArrayBuffer;
}

/** Maps smaller than this are hashed where they are: a thread hop costs more than their hash. */
const OFF_THREAD_MIN = 64 * 1024;
/** Nor larger ones: their copy would hold that much memory again while it waits (at most MAX_WAITING of them). */
const OFF_THREAD_MAX = 8 * 1024 * 1024;
/**
 * At most this many digests wait for the thread; past it the caller hashes (the thread is behind:
 * on a busy machine it gets less CPU). A few reused buffers are also what keeps a hop cheap:
 * laying out into and moving fresh memory costs as much as hashing it (page faults, V8's
 * external-memory accounting), measured.
 */
const MAX_WAITING = 4;
/** Buffers kept for reuse, in bytes. */
const MAX_FREE_BYTES = 16 * 1024 * 1024;

interface Waiting {
  map: TensorMap;
  resolve: (digest: string) => void;
}

/**
 * `tensorsSha256` of large maps (an image) on a worker thread, so most of the ~450 µs of hashing
 * 600 KB leaves the event loop: the map is laid out (one copy) into a reused buffer, moved to the
 * thread, hashed there and moved back. Measured on the shared 2-core VM, one 600 KB map at a
 * time: ~180 µs on the event loop against ~420 µs hashing it there. It costs more CPU in all
 * (the copy and the hop), so it pays where a core is free, not on a machine already saturated.
 * The digest is the same value, remembered for the map like `tensorsSha256`'s. Hand-written:
 * Node's WebCrypto digest copies into fresh memory on the calling thread (measured about as
 * slow as hashing), and no pool library saves the copy. Never fails: if the thread is gone or
 * behind, the digest is computed here.
 */
export class DigestThread {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private readonly free: ArrayBuffer[] = [];
  private freeBytes = 0;
  private nextId = 0;

  /** The digest now (small, already known, or the thread is behind) or soon. */
  sha256(map: TensorMap): string | Promise<string> {
    const need = tensorsBytes(map);
    if (need < OFF_THREAD_MIN) return tensorsSha256(map, need);
    const known = knownSha256(map);
    if (known !== undefined) return known;
    if (need > OFF_THREAD_MAX || this.waiting.size >= MAX_WAITING) return tensorsSha256(map, need);
    const buf = this.take(need);
    const length = writeTensors(map, Buffer.from(buf, 0, need), 0);
    const id = this.nextId++;
    const worker = this.thread();
    if (this.waiting.size === 0) worker.ref();
    return new Promise<string>((resolve) => {
      this.waiting.set(id, { map, resolve });
      const job: DigestJob = { id, buf, length };
      // Moved, not copied (shared memory would be: V8 copies into it element by element).
      worker.postMessage(job, [buf]);
    });
  }

  /** Stop the thread (what waits is hashed here). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll();
    await worker?.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(import.meta.url, 'digest-worker');
    worker.on('message', (done: DigestDone) => this.done(done));
    // A dead thread (it should not die) is replaced at the next digest; what it held is hashed here.
    const lost = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private done({ id, digest, buf }: DigestDone): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    this.keep(buf);
    if (this.waiting.size === 0) this.worker?.unref();
    rememberSha256(w.map, digest);
    w.resolve(digest);
  }

  private failAll(): void {
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w.resolve(tensorsSha256(w.map));
    }
  }

  private take(need: number): ArrayBuffer {
    for (let i = 0; i < this.free.length; i++) {
      const buf = this.free[i] as ArrayBuffer;
      if (buf.byteLength >= need) {
        this.free.splice(i, 1);
        this.freeBytes -= buf.byteLength;
        return buf;
      }
    }
    // Rounded up to 64 KiB so inputs of about one size share buffers.
    return new ArrayBuffer(Math.ceil(need / 65536) * 65536);
  }

  private keep(buf: ArrayBuffer): void {
    if (this.freeBytes + buf.byteLength > MAX_FREE_BYTES) return;
    this.free.push(buf);
    this.freeBytes += buf.byteLength;
  }
}
