import type { Worker } from 'node:worker_threads';
import { startWorker } from '../worker-entry.js';
import type Database from 'better-sqlite3';
import { openTraceDb, TraceStore, type TraceRow } from './trace-store.js';
import type { TraceWorkerRequest, TraceWorkerResponse } from './trace-worker-protocol.js';

export interface WriteOutcome {
  written: number;
  failed: number;
  error?: string;
}

/** Where trace batches go. Resolves (never rejects) with what was written. */
export interface TraceSink {
  write(rows: TraceRow[]): Promise<WriteOutcome>;
  /** Delete records older than cutoffMs; resolves with how many. */
  prune(cutoffMs: number): Promise<number>;
  close(): Promise<void>;
}

/** Writes on the calling thread (tests, tiny deployments): SQLite time is spent on the event loop. */
export class InlineTraceSink implements TraceSink {
  private readonly db: Database.Database;
  private readonly store: TraceStore;

  constructor(path: string, private readonly maxOutputBytes: number) {
    this.db = openTraceDb(path);
    this.store = new TraceStore(this.db);
  }

  async write(rows: TraceRow[]): Promise<WriteOutcome> {
    try {
      this.store.insert(rows, this.maxOutputBytes);
      return { written: rows.length, failed: 0 };
    } catch (err) {
      return { written: 0, failed: rows.length, error: (err as Error).message };
    }
  }

  async prune(cutoffMs: number): Promise<number> {
    return this.store.prune(cutoffMs);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/**
 * Writes in a worker thread with its own SQLite connection: hashing, JSON and the inserts (and
 * their index page writes) never run on the event loop that serves requests.
 */
export class WorkerTraceSink implements TraceSink {
  private nextId = 1;
  private readonly pending = new Map<number, (r: TraceWorkerResponse) => void>();
  private dead: string | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: TraceWorkerResponse) => {
      const settle = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      settle?.(m);
    });
    const fail = (why: string) => {
      this.dead = why;
      for (const [id, settle] of this.pending) settle({ id, written: 0, failed: 0, pruned: 0, error: why });
      this.pending.clear();
    };
    worker.on('error', (err) => fail(`trace writer thread failed: ${err.message}`));
    worker.on('exit', (code) => fail(`trace writer thread exited (${code})`));
    // Idle, the thread does not keep the process alive; with writes outstanding it does (drain on shutdown).
    worker.unref();
  }

  static create(path: string, maxOutputBytes: number): WorkerTraceSink {
    return new WorkerTraceSink(startWorker(import.meta.url, 'trace-worker', { workerData: { path, maxOutputBytes } }));
  }

  async write(rows: TraceRow[]): Promise<WriteOutcome> {
    const r = await this.send({ type: 'write', id: 0, rows });
    // With an error, whatever was not written is lost (the thread may have died before answering).
    return r.error ? { written: r.written, failed: rows.length - r.written, error: r.error } : { written: r.written, failed: 0 };
  }

  async prune(cutoffMs: number): Promise<number> {
    return (await this.send({ type: 'prune', id: 0, cutoffMs })).pruned;
  }

  async close(): Promise<void> {
    if (this.dead) return;
    await this.send({ type: 'close', id: 0 });
    await this.worker.terminate();
  }

  private send(req: TraceWorkerRequest): Promise<TraceWorkerResponse> {
    const id = this.nextId++;
    if (this.dead) return Promise.resolve({ id, written: 0, failed: 0, pruned: 0, error: this.dead });
    return new Promise((resolve) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, resolve);
      this.worker.postMessage({ ...req, id });
    });
  }
}
