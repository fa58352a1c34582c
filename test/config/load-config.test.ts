import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

const dir = () => mkdtempSync(join(tmpdir(), 'modelgate-config-'));

describe('configuration', () => {
  it('has working defaults without a file', () => {
    const c = loadConfig({}, dir());
    expect(c).toMatchObject({ port: 8080, modelsDir: 'models', runtime: { executionProviders: ['cpu'], intraOpThreads: 1 }, flags: { source: 'file' } });
    expect(c.adminToken).toBeUndefined();
  });

  it('body limits: a small JSON default, 64 MiB for binary tensors, each overridable from the environment', () => {
    expect(loadConfig({}, dir()).limits).toMatchObject({ maxBodyBytes: 1_048_576, maxBinaryBodyBytes: 64 * 1024 * 1024 });
    const c = loadConfig({ MODELGATE_MAX_BINARY_BODY_BYTES: '1000000', MODELGATE_MAX_BODY_BYTES: '2048' }, dir());
    expect(c.limits).toMatchObject({ maxBodyBytes: 2048, maxBinaryBodyBytes: 1_000_000 });
    expect(() => loadConfig({ MODELGATE_MAX_BINARY_BODY_BYTES: 'lots' }, dir())).toThrow(/maxBinaryBodyBytes/);
  });

  it('grpc: port 8081 and 64 MiB messages by default; file, then MODELGATE_GRPC_PORT (off or 0 disables) and MODELGATE_GRPC_MAX_MESSAGE_BYTES', () => {
    expect(loadConfig({}, dir()).grpc).toEqual({ port: 8081, maxMessageBytes: 64 * 1024 * 1024 });
    const d = dir();
    mkdirSync(join(d, 'config'));
    writeFileSync(join(d, 'config', 'gateway.json'), JSON.stringify({ grpc: { port: 9001, maxMessageBytes: 1024 } }));
    expect(loadConfig({}, d).grpc).toEqual({ port: 9001, maxMessageBytes: 1024 });
    expect(loadConfig({ MODELGATE_GRPC_PORT: 'off' }, d).grpc).toEqual({ port: 0, maxMessageBytes: 1024 });
    expect(loadConfig({ MODELGATE_GRPC_PORT: '0', MODELGATE_GRPC_MAX_MESSAGE_BYTES: '2048' }, d).grpc).toEqual({ port: 0, maxMessageBytes: 2048 });
    expect(() => loadConfig({ MODELGATE_GRPC_PORT: 'on' }, d)).toThrow(/grpc\.port/);
  });

  it('server: safe defaults, file then environment, and headers timeout <= request timeout', () => {
    expect(loadConfig({}, dir()).server).toEqual({
      headersTimeoutMs: 15_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 65_000,
      maxConnections: 4096,
      maxConnectionsPerClient: 512,
      maxBufferedBytesPerConnection: 1_048_576,
      drainDelayMs: 5_000,
      shutdownTimeoutMs: 30_000,
    });
    const cwd = dir();
    mkdirSync(join(cwd, 'config'));
    writeFileSync(join(cwd, 'config', 'gateway.json'), JSON.stringify({ server: { maxConnections: 10, drainDelayMs: 1000 } }));
    const c = loadConfig({ MODELGATE_DRAIN_DELAY_MS: '0', MODELGATE_HEADERS_TIMEOUT_MS: '5000' }, cwd);
    expect(c.server).toMatchObject({ maxConnections: 10, drainDelayMs: 0, headersTimeoutMs: 5000 });
    expect(() => loadConfig({ MODELGATE_HEADERS_TIMEOUT_MS: '90000' }, dir())).toThrow(/headersTimeoutMs must not exceed requestTimeoutMs/);
    expect(() => loadConfig({ MODELGATE_MAX_CONNECTIONS: 'lots' }, dir())).toThrow(/maxConnections/);
    const env = { MODELGATE_MAX_CONNECTIONS_PER_CLIENT: '0', MODELGATE_MAX_BUFFERED_BYTES_PER_CONNECTION: '65536', MODELGATE_MAX_UPLOAD_BYTES: '1000000' };
    const limits = loadConfig(env, dir());
    expect(limits.server).toMatchObject({ maxConnectionsPerClient: 0, maxBufferedBytesPerConnection: 65_536 });
    expect(limits.limits).toMatchObject({ maxBodyBytes: 1_048_576, maxUploadBytes: 1_000_000 });
    expect(loadConfig({}, dir()).limits.maxUploadBytes).toBe(2 * 1024 ** 3);
  });

  it('reads config/gateway.json, then lets the environment override it', () => {
    const cwd = dir();
    const cfgDir = join(cwd, 'config');
    mkdirSync(cfgDir);
    writeFileSync(join(cfgDir, 'gateway.json'), JSON.stringify({ port: 9000, runtime: { intraOpThreads: 2 }, models: { m: { defaultVersion: '1.0.0' } } }));
    const c = loadConfig(
      { PORT: '9100', MODELGATE_EXECUTION_PROVIDERS: 'cuda, webgpu,cpu', UNLEASH_URL: 'http://unleash:4242/api', UNLEASH_API_TOKEN: 't', MODELGATE_ADMIN_TOKEN: 'a-long-enough-admin-token-0123456789' },
      cwd,
    );
    expect(c.port).toBe(9100);
    expect(c.runtime).toMatchObject({ executionProviders: ['cuda', 'webgpu', 'cpu'], intraOpThreads: 2 });
    expect(c.flags).toMatchObject({ source: 'unleash', unleash: { url: 'http://unleash:4242/api', apiToken: 't', refreshIntervalMs: 1000 } });
    expect(c.models.m?.defaultVersion).toBe('1.0.0');
    expect(c.adminToken).toBe('a-long-enough-admin-token-0123456789');
  });

  it.each([
    [{ PORT: 'eighty' }, /port/],
    [{ MODELGATE_EXECUTION_PROVIDERS: 'tpu' }, /executionProviders/],
    [{ MODELGATE_ADMIN_TOKEN: 'short' }, /adminToken/],
  ])('refuses a bad setting and names it: %j', (env, field) => {
    expect(() => loadConfig(env, dir())).toThrow(field);
  });

  it('refuses a config file that is not JSON, or a named file that is missing', () => {
    const cwd = dir();
    const path = join(cwd, 'bad.json');
    writeFileSync(path, '{ port: 1 ');
    expect(() => loadConfig({ MODELGATE_CONFIG: path }, cwd)).toThrow(/is not valid JSON/);
    expect(() => loadConfig({ MODELGATE_CONFIG: join(cwd, 'nope.json') }, cwd)).toThrow(/does not exist/);
  });
});
