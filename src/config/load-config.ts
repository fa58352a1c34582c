import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { registryEnv } from './registry-schema.js';
import { GatewayConfig, type GatewayConfigInput } from './schema.js';

/**
 * Read config once at start: config/gateway.json (or MODELGATE_CONFIG), then environment
 * overrides. A bad file or variable stops the start with the offending field named.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): GatewayConfig {
  const path = env.MODELGATE_CONFIG ?? `${cwd}/config/gateway.json`;
  let file: Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`config file ${path} is not valid JSON: ${(err as Error).message}`);
    }
  } else if (env.MODELGATE_CONFIG) {
    throw new Error(`config file ${path} does not exist`);
  }
  return parseConfig(mergeEnv(file, env));
}

export function parseConfig(input: GatewayConfigInput | Record<string, unknown>): GatewayConfig {
  const parsed = GatewayConfig.safeParse(input);
  if (!parsed.success) {
    // One line: each issue as `path: message`.
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${issues}`);
  }
  return parsed.data;
}

function mergeEnv(file: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const cfg: Record<string, unknown> = { ...file };
  const runtime = { ...((file.runtime as Record<string, unknown> | undefined) ?? {}) };
  const limits = { ...((file.limits as Record<string, unknown> | undefined) ?? {}) };
  const num = (v: string) => (Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : v);
  if (env.PORT) cfg.port = num(env.PORT);
  if (env.HOST) cfg.host = env.HOST;
  if (env.MODELGATE_MODELS_DIR) cfg.modelsDir = env.MODELGATE_MODELS_DIR;
  if (env.LOG_LEVEL) cfg.logLevel = env.LOG_LEVEL;
  if (env.MODELGATE_ADMIN_TOKEN) cfg.adminToken = env.MODELGATE_ADMIN_TOKEN;
  if (env.MODELGATE_EXECUTION_PROVIDERS) {
    runtime.executionProviders = env.MODELGATE_EXECUTION_PROVIDERS.split(',').map((s) => s.trim()).filter(Boolean);
  }
  if (env.MODELGATE_INTRA_OP_THREADS) runtime.intraOpThreads = num(env.MODELGATE_INTRA_OP_THREADS);
  if (env.MODELGATE_MAX_BODY_BYTES) limits.maxBodyBytes = num(env.MODELGATE_MAX_BODY_BYTES);
  if (env.MODELGATE_MAX_BINARY_BODY_BYTES) limits.maxBinaryBodyBytes = num(env.MODELGATE_MAX_BINARY_BODY_BYTES);
  if (env.MODELGATE_MAX_UPLOAD_BYTES) limits.maxUploadBytes = num(env.MODELGATE_MAX_UPLOAD_BYTES);
  if (env.MODELGATE_MAX_IN_FLIGHT) limits.maxInFlight = num(env.MODELGATE_MAX_IN_FLIGHT);
  if (env.UNLEASH_URL) {
    const flags = { ...((file.flags as Record<string, unknown> | undefined) ?? {}) };
    const unleash = { ...((flags.unleash as Record<string, unknown> | undefined) ?? {}) };
    unleash.url = env.UNLEASH_URL;
    if (env.UNLEASH_API_TOKEN) unleash.apiToken = env.UNLEASH_API_TOKEN;
    if (env.UNLEASH_REFRESH_INTERVAL_MS) unleash.refreshIntervalMs = num(env.UNLEASH_REFRESH_INTERVAL_MS);
    // The canary analysis changes weights and the kill switch through the Admin API.
    if (env.UNLEASH_ADMIN_URL) unleash.adminUrl = env.UNLEASH_ADMIN_URL;
    if (env.UNLEASH_ADMIN_TOKEN) unleash.adminToken = env.UNLEASH_ADMIN_TOKEN;
    flags.source = 'unleash';
    flags.unleash = unleash;
    cfg.flags = flags;
  }
  if (env.MODELGATE_REDIS_URL) {
    const cache = { ...((file.cache as Record<string, unknown> | undefined) ?? {}) };
    cache.redis = { ...((cache.redis as Record<string, unknown> | undefined) ?? {}), url: env.MODELGATE_REDIS_URL };
    cfg.cache = cache;
  }
  if (env.MODELGATE_TRUSTED_PROXIES) {
    const t = env.MODELGATE_TRUSTED_PROXIES.trim();
    const trustedProxies = /^\d+$/.test(t) ? Number(t) : t.split(',').map((s) => s.trim()).filter(Boolean);
    cfg.http = { ...((file.http as Record<string, unknown> | undefined) ?? {}), trustedProxies };
  }
  if (env.MODELGATE_GRPC_PORT || env.MODELGATE_GRPC_MAX_MESSAGE_BYTES) {
    const grpc = { ...((file.grpc as Record<string, unknown> | undefined) ?? {}) };
    if (env.MODELGATE_GRPC_PORT) grpc.port = env.MODELGATE_GRPC_PORT.trim() === 'off' ? 'off' : num(env.MODELGATE_GRPC_PORT);
    if (env.MODELGATE_GRPC_MAX_MESSAGE_BYTES) grpc.maxMessageBytes = num(env.MODELGATE_GRPC_MAX_MESSAGE_BYTES);
    cfg.grpc = grpc;
  }
  if (env.MODELGATE_FLAGS_FILE) cfg.flags = { ...((cfg.flags as Record<string, unknown> | undefined) ?? {}), file: env.MODELGATE_FLAGS_FILE };
  const server = { ...((file.server as Record<string, unknown> | undefined) ?? {}) };
  const serverEnv: Record<string, string> = {
    MODELGATE_HEADERS_TIMEOUT_MS: 'headersTimeoutMs',
    MODELGATE_REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
    MODELGATE_KEEP_ALIVE_TIMEOUT_MS: 'keepAliveTimeoutMs',
    MODELGATE_MAX_CONNECTIONS: 'maxConnections',
    MODELGATE_MAX_CONNECTIONS_PER_CLIENT: 'maxConnectionsPerClient',
    MODELGATE_MAX_BUFFERED_BYTES_PER_CONNECTION: 'maxBufferedBytesPerConnection',
    MODELGATE_DRAIN_DELAY_MS: 'drainDelayMs',
    MODELGATE_SHUTDOWN_TIMEOUT_MS: 'shutdownTimeoutMs',
  };
  for (const [name, key] of Object.entries(serverEnv)) {
    const value = env[name];
    if (value) server[key] = num(value);
  }
  cfg.server = server;
  cfg.runtime = runtime;
  cfg.limits = limits;
  cfg.registry = registryEnv(env, (file.registry as Record<string, unknown> | undefined) ?? {});
  return cfg;
}
