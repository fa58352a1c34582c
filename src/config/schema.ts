import { isIP } from 'node:net';
import { z } from 'zod';
import { NAME_RE, isVersion } from '../contracts/names.js';
import { AnalysisSettings, MonitoringSettings } from './analysis-schema.js';
import { RegistrySettings } from './registry-schema.js';

const version = () => z.string().refine(isVersion, 'a version is semver (1.2.0) or an integer (3)');

const Provider = z.enum(['cuda', 'webgpu', 'cpu']);

/** Prediction cache settings; per model they override the global ones. */
export const CacheSettings = z.object({
  enabled: z.boolean().default(true),
  maxEntries: z.number().int().positive().default(10_000),
  maxBytes: z.number().int().positive().default(64 * 1024 * 1024),
  /** 0 = entries never expire by age. */
  ttlMs: z.number().int().min(0).default(300_000),
});
export type CacheSettings = z.infer<typeof CacheSettings>;

/** The shared (L2) prediction cache tier; the gateway uses it when `url` is set. */
export const RedisCacheSettings = z.object({
  url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').optional(),
  keyPrefix: z.string().default('modelgate:'),
  /** Lifetime of an entry in Redis. */
  ttlMs: z.number().int().positive().default(300_000),
  /** Bound on one Redis command: slower is a miss (L1 only), never a slow prediction. */
  timeoutMs: z.number().int().positive().default(30),
  /** Consecutive failures that stop using Redis for breakerCooldownMs. */
  breakerFailures: z.number().int().positive().default(3),
  breakerCooldownMs: z.number().int().positive().default(1000),
});
export type RedisCacheSettings = z.infer<typeof RedisCacheSettings>;

/** Proxies whose X-Forwarded-For / Forwarded entries are believed: a hop count, or their addresses/CIDRs. 0 trusts none. */
export const TrustedProxies = z.union([z.number().int().min(0).max(32), z.array(z.string().refine(isCidr, 'an IP address or CIDR (10.0.0.0/8)')).max(256)]);

function isCidr(s: string): boolean {
  const [addr = '', prefix, extra] = s.split('/');
  const kind = isIP(addr);
  if (kind === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (kind === 4 ? 32 : 128));
}
export type TrustedProxies = z.infer<typeof TrustedProxies>;

/** Dynamic batching (Triton's dynamic_batching): flush at maxBatchSize or after maxQueueDelayMicros. */
export const BatchingSettings = z.object({
  enabled: z.boolean().default(false),
  maxBatchSize: z.number().int().min(1).default(32),
  maxQueueDelayMicros: z.number().int().min(0).default(500),
});
export type BatchingSettings = z.infer<typeof BatchingSettings>;

/** Mirror a share of traffic to a challenger version after the response is sent. */
export const ShadowSettings = z.object({
  version: version(),
  percent: z.number().min(0).max(100),
  /** Outputs agree when every element differs by at most this (absolute) or this fraction (relative). */
  tolerance: z.number().min(0).default(0.01),
});
export type ShadowSettings = z.infer<typeof ShadowSettings>;

/**
 * The HTTP server: slow-client timeouts, a connection cap and the Kubernetes shutdown sequence
 * (SIGTERM -> readiness fails -> serve `drainDelayMs` more with Connection: close -> stop
 * listening -> wait for what arrived -> flush trace + audit -> free sessions).
 */
export const ServerSettings = z
  .object({
    /** Whole request headers must arrive within this (slowloris). */
    headersTimeoutMs: z.number().int().min(1000).default(15_000),
    /** A whole request (headers + body) must arrive within this. */
    requestTimeoutMs: z.number().int().min(1000).default(60_000),
    /** Idle keep-alive connections close after this; above a load balancer's own idle timeout (60 s on ALB). */
    keepAliveTimeoutMs: z.number().int().min(1000).default(65_000),
    /** Open connections; past it the connection idle the longest is closed, and only when none is idle is a new one refused (503). */
    maxConnections: z.number().int().positive().default(4096),
    /** Open connections per client address (socket peer; trusted proxies are exempt), same policy; 0: no cap. */
    maxConnectionsPerClient: z.number().int().min(0).default(512),
    /** Unsent response bytes a connection may hold while its client reads nothing; past it, with no progress for a second, it is closed. */
    maxBufferedBytesPerConnection: z.number().int().min(16_384).default(1_048_576),
    /** After SIGTERM, keep serving this long with readiness failed, so endpoints are removed first. */
    drainDelayMs: z.number().int().min(0).default(5_000),
    /** After the drain delay, give up waiting for requests (and flushes) after this; then exit 1. */
    shutdownTimeoutMs: z.number().int().min(1000).default(30_000),
  })
  .refine((s) => s.headersTimeoutMs <= s.requestTimeoutMs, { message: 'headersTimeoutMs must not exceed requestTimeoutMs' });
export type ServerSettings = z.infer<typeof ServerSettings>;

/** Per-model serving settings (config/gateway.json `models.<name>`). */
export const ModelSettings = z.object({
  /** The flag that routes this model (default: the model's name). */
  flag: z.string().min(1).max(200).optional(),
  cache: CacheSettings.partial().optional(),
  batching: BatchingSettings.partial().optional(),
  shadow: ShadowSettings.optional(),
  /** Version served when a request names none and no flag decides (default: highest semver). */
  defaultVersion: version().optional(),
  /** Aliases a request may pin (`x-model-version: canary`), alias -> version. */
  aliases: z.record(z.string().regex(NAME_RE), version()).default({}),
  /** Provider preference for this model (default: runtime.executionProviders). */
  executionProviders: z.array(Provider).min(1).optional(),
  /** inline: on the main thread; worker: own thread; auto: decided from warm-up latency. */
  runner: z.enum(['auto', 'inline', 'worker']).default('auto'),
  /** Versions to load at start; default all found on disk. */
  versions: z.array(version()).optional(),
  /** Automated canary analysis (progressive delivery) of this model. */
  analysis: AnalysisSettings.optional(),
});
export type ModelSettings = z.infer<typeof ModelSettings>;

export const GatewayConfig = z.object({
  host: z.string().default('0.0.0.0'),
  port: z.number().int().min(0).max(65535).default(8080),
  modelsDir: z.string().default('models'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  runtime: z
    .object({
      executionProviders: z.array(Provider).min(1).default(['cpu']),
      intraOpThreads: z.number().int().min(0).default(1),
      /** auto runner: a warm-up run slower than this (ms, median) moves the model to a worker. */
      workerThresholdMs: z.number().min(0).default(1),
      warmupRuns: z.number().int().min(1).default(5),
    })
    .prefault({}),
  limits: z
    .object({
      /** JSON (and other buffered) request bodies. */
      maxBodyBytes: z.number().int().positive().default(1_048_576),
      /** Binary tensor requests (OIP's binary extension): header and tensor bytes together. */
      maxBinaryBodyBytes: z.number().int().positive().default(64 * 1024 * 1024),
      /** Model uploads (POST /admin/models/{m}/versions), streamed to disk, never held in memory. */
      maxUploadBytes: z.number().int().positive().default(2 * 1024 ** 3),
      maxBatchInstances: z.number().int().positive().default(1024),
      /** Concurrent predictions before shedding with 503 + Retry-After. */
      maxInFlight: z.number().int().positive().default(1024),
    })
    .prefault({}),
  /** Bearer token for /v2/repository and /admin (ops); unset disables those endpoints. 32+ characters: it is guessable otherwise. */
  adminToken: z.string().min(32, 'MODELGATE_ADMIN_TOKEN must be at least 32 characters (openssl rand -hex 24)').optional(),
  shutdownGraceMs: z.number().int().min(0).default(10_000),
  server: ServerSettings.prefault({}),
  models: z.record(z.string().regex(NAME_RE), ModelSettings).default({}),
  cache: CacheSettings.extend({ redis: RedisCacheSettings.prefault({}) }).prefault({}),
  http: z
    .object({
      trustedProxies: TrustedProxies.default(0),
      /** Failed bearer attempts per client address: past `threshold`, 429 + Retry-After for a delay doubling per failure. */
      authThrottle: z
        .object({
          threshold: z.number().int().positive().default(10),
          baseDelayMs: z.number().int().positive().default(1_000),
          maxDelayMs: z.number().int().positive().default(300_000),
          maxAddresses: z.number().int().positive().default(10_000),
        })
        .prefault({}),
    })
    .prefault({}),
  /** OIP V2 over gRPC (inference.GRPCInferenceService + grpc.health.v1) on its own port; 0 or 'off' disables it. */
  grpc: z
    .object({
      port: z.union([z.number().int().min(0).max(65535), z.literal('off').transform(() => 0)]).default(8081),
      /** Largest gRPC message received or sent (an image tensor is ~600 KB). */
      maxMessageBytes: z.number().int().positive().default(64 * 1024 * 1024),
    })
    .prefault({}),
  batching: BatchingSettings.prefault({}),
  flags: z
    .object({
      /** file: config/flags.json evaluated offline; unleash: a real Unleash server. */
      source: z.enum(['file', 'unleash']).default('file'),
      file: z.string().default('config/flags.json'),
      unleash: z
        .object({
          url: z.string().url().optional(),
          apiToken: z.string().optional(),
          appName: z.string().default('modelgate'),
          environment: z.string().default('production'),
          refreshIntervalMs: z.number().int().min(100).default(1000),
          /** Admin API (the canary analysis changes variant weights and the kill switch there). */
          adminUrl: z.string().url().optional(),
          adminToken: z.string().optional(),
          project: z.string().default('default'),
        })
        .prefault({}),
    })
    .prefault({}),
  /** The model registry and governance: store, artifacts, trace, validation gate. */
  registry: RegistrySettings.prefault({}),
  /** Drift and ground-truth feedback per version. */
  monitoring: MonitoringSettings,
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;
export type GatewayConfigInput = z.input<typeof GatewayConfig>;
