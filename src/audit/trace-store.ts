import { createHash, hash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { decodeTensorData, type TensorMap } from '../runtime/tensor.js';

/** One prediction to trace, as queued and as sent to the writer thread (structured-clone safe). */
export interface TraceRow {
  requestId: string;
  atMs: number;
  model: string;
  version: string;
  stage: string | null;
  route: string;
  pin: string | null;
  cache: string;
  latencyMs: number;
  inputs: TensorMap;
  outputs: TensorMap;
}

/** One traced prediction as stored. */
export interface TraceRecord {
  requestId: string;
  at: string;
  model: string;
  version: string;
  /** The version's registry stage when the prediction was answered. */
  stage: string | null;
  /** pinned | flag:<variant> | fallback:<reason> */
  route: string;
  /** path:<v> or header:<v> when the caller pinned a version or alias. */
  pin: string | null;
  cache: string;
  inputSha256: string;
  /** The outputs as JSON, or null when they were longer than maxOutputBytes... */
  output: unknown;
  /** ...then only their sha256 is kept. */
  outputSha256: string | null;
  latencyMs: number;
}

interface Row {
  request_id: string;
  at_ms: number;
  model: string;
  version: string;
  stage: string | null;
  route: string;
  pin: string | null;
  cache: string;
  input_sha256: string;
  output: string | null;
  output_sha256: string | null;
  latency_ms: number;
}

const SCHEMA_VERSION = 1;
// request_key: a 52-bit FNV-1a of the request id. An index on random text keys costs a page write
// per row; an integer key packs three times the entries per page. Lookups compare request_id too.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS prediction_trace (
    id            INTEGER PRIMARY KEY,
    request_id    TEXT NOT NULL,
    request_key   INTEGER NOT NULL,
    at_ms         INTEGER NOT NULL,
    model         TEXT NOT NULL,
    version       TEXT NOT NULL,
    stage         TEXT,
    route         TEXT NOT NULL,
    pin           TEXT,
    cache         TEXT NOT NULL,
    input_sha256  TEXT NOT NULL,
    output        TEXT,
    output_sha256 TEXT,
    latency_ms    REAL NOT NULL
  );
  CREATE INDEX IF NOT EXISTS prediction_trace_request ON prediction_trace (request_key);
`;

/** Open (creating) the trace database: its own file, so trace writes never contend with the registry's. */
export function openTraceDb(path: string, opts: { readonly?: boolean } = {}): Database.Database {
  if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, opts.readonly ? { readonly: true } : {});
  db.pragma('busy_timeout = 5000');
  if (opts.readonly) return db;
  db.pragma('journal_mode = WAL');
  // The trace is evidence, not a ledger: WAL without fsync per commit survives a process crash;
  // only an OS crash or power loss can lose its last moments (the audit log keeps NORMAL).
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -32768');
  if ((db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION) {
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }
  return db;
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/i;

/**
 * The index key of a request id, 52 bits (a safe integer). A UUIDv7 (what the gateway mints) gives
 * its 48-bit timestamp and 4 more bits: keys then grow with time and index inserts append. Any
 * other id gets two 32-bit FNV-1a style hashes joined. Not secret: lookups compare request_id too.
 */
export function requestKey(id: string): number {
  if (UUID_V7.test(id)) return parseInt(id.slice(0, 8) + id.slice(9, 13) + id.slice(15, 16), 16);
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 12) & 0xfffff);
}

/** sha256 over every input tensor (by name): its type, shape and raw bytes. */
export function inputHash(feeds: TensorMap): string {
  // One buffer, one one-shot hash: a Hash object per row costs more than the hashing itself.
  const parts: Uint8Array[] = [];
  for (const name of Object.keys(feeds).sort()) {
    const t = feeds[name];
    if (!t) continue;
    parts.push(Buffer.from(`${name}:${t.type}[${t.dims.join(',')}]`));
    const d = t.data;
    parts.push(Array.isArray(d) ? Buffer.from(JSON.stringify(d)) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return hash('sha256', Buffer.concat(parts), 'hex');
}

function outputsJson(outputs: TensorMap): string {
  const out: Record<string, { type: string; shape: number[]; data: unknown[] }> = {};
  for (const [name, t] of Object.entries(outputs)) out[name] = { type: t.type, shape: t.dims, data: decodeTensorData(t) };
  return JSON.stringify(out);
}

/** The prediction trace table: batch inserts, retention pruning, lookups by request id. */
export class TraceStore {
  private readonly insertMany: ((rows: TraceRow[], maxOutputBytes: number) => void) | undefined;

  constructor(private readonly db: Database.Database) {
    if (db.readonly) return;
    const insert = db.prepare(
      `INSERT INTO prediction_trace (request_id, request_key, at_ms, model, version, stage, route, pin, cache, input_sha256,
         output, output_sha256, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertMany = db.transaction((rows: TraceRow[], maxOutputBytes: number) => {
      for (const r of rows) {
        const json = outputsJson(r.outputs);
        const small = json.length <= maxOutputBytes;
        insert.run(
          r.requestId, requestKey(r.requestId), r.atMs, r.model, r.version, r.stage, r.route, r.pin, r.cache,
          inputHash(r.inputs), small ? json : null, small ? null : createHash('sha256').update(json).digest('hex'),
          Math.round(r.latencyMs * 1000) / 1000,
        );
      }
    });
  }

  /** Write a batch in one transaction. */
  insert(rows: TraceRow[], maxOutputBytes: number): void {
    if (!this.insertMany) throw new Error('the trace store is read-only');
    this.insertMany(rows, maxOutputBytes);
  }

  /** Delete records older than cutoffMs, in chunks; returns how many. Rows arrive in time order: the oldest have the lowest ids. */
  prune(cutoffMs: number): number {
    const next = this.db.prepare('SELECT id, at_ms FROM prediction_trace ORDER BY id LIMIT 1 OFFSET ?');
    const del = this.db.prepare('DELETE FROM prediction_trace WHERE id <= ? AND at_ms < ?');
    let total = 0;
    for (;;) {
      const row = next.get(4999) as { id: number } | undefined;
      const upTo = row?.id ?? Number.MAX_SAFE_INTEGER;
      const n = del.run(upTo, cutoffMs).changes;
      total += n;
      if (n < 5000) break;
    }
    return total;
  }

  /** Predictions answered under a request id, newest first (a client may reuse an id). */
  find(requestId: string, limit = 20): TraceRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM prediction_trace WHERE request_key = ? AND request_id = ? ORDER BY id DESC LIMIT ?')
      .all(requestKey(requestId), requestId, limit) as Row[];
    return rows.map((r) => ({
      requestId: r.request_id,
      at: new Date(r.at_ms).toISOString(),
      model: r.model,
      version: r.version,
      stage: r.stage,
      route: r.route,
      pin: r.pin,
      cache: r.cache,
      inputSha256: r.input_sha256,
      output: r.output === null ? null : JSON.parse(r.output),
      outputSha256: r.output_sha256,
      latencyMs: r.latency_ms,
    }));
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM prediction_trace').get() as { n: number }).n;
  }
}
