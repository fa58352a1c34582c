import { dirname, join } from 'node:path';
import { z } from 'zod';

/** A URL that parses, names a host, and has at most one unencoded `@` (a password's `@` must be %40). */
function wellFormedUrl(url: string): boolean {
  try {
    const u = new URL(url);
    const auth = url.slice(url.indexOf('//') + 2).split('/')[0] ?? '';
    return u.hostname !== '' && (auth.match(/@/g)?.length ?? 0) <= 1;
  } catch {
    return false;
  }
}

/** The prediction trace: an append-only log of binary records in segment files, indexed by request id. */
export const TraceSettings = z.object({
  enabled: z.boolean().default(true),
  /** Folder of the segment files (default: `trace/` beside the registry db). */
  dir: z.string().min(1).optional(),
  /** Records are handed to the disk at least this often. */
  flushIntervalMs: z.number().int().positive().default(50),
  /** A segment is sealed (and indexed) at this size. */
  maxSegmentBytes: z.number().int().min(64 * 1024).default(16 * 1024 * 1024),
  /** Retention by size: the oldest segments go beyond this total; 0 = no size limit. */
  maxBytes: z.number().int().min(0).default(1024 * 1024 * 1024),
  /** Retention by age: segments whose newest record is older go; 0 keeps them forever. */
  retentionDays: z.number().min(0).default(30),
  /** Outputs whose raw bytes exceed this are stored as their digest only. */
  maxOutputBytes: z.number().int().min(0).default(2048),
  /** Bytes waiting for the disk beyond which records are dropped (counted, logged), never awaited. */
  maxPendingBytes: z.number().int().positive().default(64 * 1024 * 1024),
  /**
   * Opt-in: keep each request's input tensors in its record (for `modelgate perf --replay-trace`).
   * Inputs over maxBytes are not kept (the record keeps their digest) and are counted.
   */
  captureInputs: z.object({ enabled: z.boolean().default(false), maxBytes: z.number().int().positive().default(64 * 1024) }).prefault({}),
});
export type TraceSettings = z.infer<typeof TraceSettings>;

/** The validation gate (the seed's ModelTestSuite) run before a version reaches production. */
export const GateSettings = z.object({
  /** Every quality metric must stay within this share of the baseline's (the seed's 0.95). */
  qualityRatio: z.number().gt(0).max(1).default(0.95),
  /** The candidate's p95 latency may be at most this multiple of the baseline's... */
  latencyRatio: z.number().min(1).default(1.2),
  /** ...or the baseline's plus this (ms), whichever is larger: sub-0.1 ms p95s are timer noise. */
  latencySlackMs: z.number().min(0).default(0.1),
  /** Single-row runs per version to time (interleaved candidate/baseline). */
  latencyRuns: z.number().int().min(10).default(300),
  /** A latency failure must repeat: up to this many timing rounds, the best one counts (GC/JIT noise). */
  latencyAttempts: z.number().int().min(1).default(3),
  /** Holdout rows per inference batch when computing quality metrics. */
  batchRows: z.number().int().positive().default(256),
});
export type GateSettings = z.infer<typeof GateSettings>;

/**
 * The model registry and governance (issue #5): SQLite store, content-addressed artifacts,
 * first-start import of the models/ folder, prediction trace and validation gate.
 */
export const RegistrySettings = z.object({
  enabled: z.boolean().default(true),
  dbPath: z.string().min(1).default('data/registry.db'),
  /**
   * Shared mode: a PostgreSQL URL (postgres://user:pass@host/db). The registry, tokens, audit chain,
   * rollback overrides, artifacts and prediction trace live there instead of dbPath and the local
   * folders, and replicas announce changes to each other (LISTEN/NOTIFY).
   */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
    .refine(wellFormedUrl, 'not a well-formed postgres://user:password@host:port/database URL (percent-encode @ : / in the password)')
    .optional(),
  /** How often the audit chain is re-verified in the background (ms; chaos runs use seconds). */
  auditVerifyIntervalMs: z.number().int().positive().default(5 * 60_000),
  /** Shared mode: a connection to PostgreSQL not made within this fails (503), never waits (ms). */
  connectTimeoutMs: z.number().int().positive().default(5_000),
  /** Shared mode: a statement running (or unanswered: the server hung) longer than this fails (503) (ms). */
  statementTimeoutMs: z.number().int().positive().default(15_000),
  /** Content-addressed artifacts (sha256/<aa>/<hash>.onnx); default: `artifacts/` beside the db. */
  artifactsDir: z.string().min(1).optional(),
  /** Import the models/ folder into an empty registry on first start. */
  importModels: z.boolean().default(true),
  /** How often (ms) to pick up changes made by other processes (the CLI); 0 = never. */
  pollIntervalMs: z.number().int().min(0).default(2000),
  trace: TraceSettings.prefault({}),
  gate: GateSettings.prefault({}),
});
export type RegistrySettings = z.infer<typeof RegistrySettings>;
export type RegistrySettingsInput = z.input<typeof RegistrySettings>;

export const artifactsDirOf = (s: RegistrySettings): string => s.artifactsDir ?? join(dirname(s.dbPath), 'artifacts');
export const traceDirOf = (s: RegistrySettings): string => s.trace.dir ?? join(dirname(s.dbPath), 'trace');
