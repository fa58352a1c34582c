import type { GatewayConfigInput } from './schema.js';

/** The key paths of an object type, as tuples: ['limits', 'maxBodyBytes'], ['flags', 'unleash', 'url'], ... */
type PathsOf<T, Depth extends unknown[] = []> = Depth['length'] extends 4
  ? never
  : T extends readonly unknown[]
    ? never
    : T extends object
      ? { [K in keyof T & string]-?: [K] | (NonNullable<T[K]> extends object ? [K, ...PathsOf<NonNullable<T[K]>, [...Depth, unknown]>] : never) }[keyof T & string]
      : never;

/** A field of the config schema (checked by the compiler: a renamed field breaks its env variable here). */
export type ConfigPath = PathsOf<GatewayConfigInput>;

export interface EnvOverride {
  /** The environment variable. */
  name: string;
  path: ConfigPath;
  /** The variable's text as the schema's input (the schema judges it; a bad number stays text and is named). */
  read: (value: string) => unknown;
  /** Applied only when this other variable is set too (UNLEASH_API_TOKEN needs UNLEASH_URL). */
  requires?: string;
}

const text = (v: string): string => v;
/** A number when the text is one, else the text itself (so the schema names the field it fails). */
const num = (v: string): unknown => (Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : v);
const on = (v: string): boolean => !/^(0|off|false|no)$/i.test(v.trim());
const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
const countOrList = (v: string): unknown => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : list(v));
const portOrOff = (v: string): unknown => (v.trim() === 'off' ? 'off' : num(v));

/** Every environment override of the config file, in the order they apply. */
export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { name: 'PORT', path: ['port'], read: num },
  { name: 'HOST', path: ['host'], read: text },
  { name: 'MODELGATE_MODELS_DIR', path: ['modelsDir'], read: text },
  { name: 'LOG_LEVEL', path: ['logLevel'], read: text },
  { name: 'MODELGATE_ADMIN_TOKEN', path: ['adminToken'], read: text },
  { name: 'MODELGATE_EXECUTION_PROVIDERS', path: ['runtime', 'executionProviders'], read: list },
  { name: 'MODELGATE_INTRA_OP_THREADS', path: ['runtime', 'intraOpThreads'], read: num },
  { name: 'MODELGATE_MAX_BODY_BYTES', path: ['limits', 'maxBodyBytes'], read: num },
  { name: 'MODELGATE_MAX_BINARY_BODY_BYTES', path: ['limits', 'maxBinaryBodyBytes'], read: num },
  { name: 'MODELGATE_MAX_UPLOAD_BYTES', path: ['limits', 'maxUploadBytes'], read: num },
  { name: 'MODELGATE_MAX_IN_FLIGHT', path: ['limits', 'maxInFlight'], read: num },
  { name: 'UNLEASH_URL', path: ['flags', 'unleash', 'url'], read: text },
  { name: 'UNLEASH_URL', path: ['flags', 'source'], read: () => 'unleash' },
  { name: 'UNLEASH_API_TOKEN', path: ['flags', 'unleash', 'apiToken'], read: text, requires: 'UNLEASH_URL' },
  { name: 'UNLEASH_REFRESH_INTERVAL_MS', path: ['flags', 'unleash', 'refreshIntervalMs'], read: num, requires: 'UNLEASH_URL' },
  // The canary analysis changes weights and the kill switch through the Admin API.
  { name: 'UNLEASH_ADMIN_URL', path: ['flags', 'unleash', 'adminUrl'], read: text, requires: 'UNLEASH_URL' },
  { name: 'UNLEASH_ADMIN_TOKEN', path: ['flags', 'unleash', 'adminToken'], read: text, requires: 'UNLEASH_URL' },
  { name: 'MODELGATE_REDIS_URL', path: ['cache', 'redis', 'url'], read: text },
  { name: 'MODELGATE_TRUSTED_PROXIES', path: ['http', 'trustedProxies'], read: countOrList },
  { name: 'MODELGATE_GRPC_PORT', path: ['grpc', 'port'], read: portOrOff },
  { name: 'MODELGATE_GRPC_MAX_MESSAGE_BYTES', path: ['grpc', 'maxMessageBytes'], read: num },
  { name: 'MODELGATE_FLAGS_FILE', path: ['flags', 'file'], read: text },
  { name: 'MODELGATE_HEADERS_TIMEOUT_MS', path: ['server', 'headersTimeoutMs'], read: num },
  { name: 'MODELGATE_REQUEST_TIMEOUT_MS', path: ['server', 'requestTimeoutMs'], read: num },
  { name: 'MODELGATE_KEEP_ALIVE_TIMEOUT_MS', path: ['server', 'keepAliveTimeoutMs'], read: num },
  { name: 'MODELGATE_MAX_CONNECTIONS', path: ['server', 'maxConnections'], read: num },
  { name: 'MODELGATE_MAX_CONNECTIONS_PER_CLIENT', path: ['server', 'maxConnectionsPerClient'], read: num },
  { name: 'MODELGATE_MAX_BUFFERED_BYTES_PER_CONNECTION', path: ['server', 'maxBufferedBytesPerConnection'], read: num },
  { name: 'MODELGATE_DRAIN_DELAY_MS', path: ['server', 'drainDelayMs'], read: num },
  { name: 'MODELGATE_SHUTDOWN_TIMEOUT_MS', path: ['server', 'shutdownTimeoutMs'], read: num },
  { name: 'MODELGATE_REGISTRY', path: ['registry', 'enabled'], read: on },
  { name: 'MODELGATE_REGISTRY_DB', path: ['registry', 'dbPath'], read: text },
  { name: 'MODELGATE_DATABASE_URL', path: ['registry', 'databaseUrl'], read: text },
  { name: 'MODELGATE_ARTIFACTS_DIR', path: ['registry', 'artifactsDir'], read: text },
  { name: 'MODELGATE_TRACE', path: ['registry', 'trace', 'enabled'], read: on },
  { name: 'MODELGATE_TRACE_DIR', path: ['registry', 'trace', 'dir'], read: text },
  { name: 'MODELGATE_TRACE_MAX_BYTES', path: ['registry', 'trace', 'maxBytes'], read: num },
  { name: 'MODELGATE_TRACE_RETENTION_DAYS', path: ['registry', 'trace', 'retentionDays'], read: num },
  { name: 'MODELGATE_TRACE_CAPTURE_INPUTS', path: ['registry', 'trace', 'captureInputs', 'enabled'], read: on },
];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `cfg` with `value` at `path`; the objects on the way are copied, never changed in place. */
function withValue(cfg: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const [key, ...rest] = path;
  if (key === undefined) return cfg;
  const inner = cfg[key];
  return { ...cfg, [key]: rest.length === 0 ? value : withValue(isRecord(inner) ? inner : {}, rest, value) };
}

/** The file's config with every set variable of ENV_OVERRIDES applied (an empty variable is unset). */
export function applyEnv(file: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  let cfg = file;
  for (const o of ENV_OVERRIDES) {
    const value = env[o.name];
    if (value && (!o.requires || env[o.requires])) cfg = withValue(cfg, o.path, o.read(value));
  }
  return cfg;
}
