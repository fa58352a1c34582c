import { describe, expect, it } from 'vitest';
import { applyEnv, ENV_OVERRIDES } from '../../src/config/env-overrides.js';
import { parseConfig } from '../../src/config/load-config.js';

describe('environment overrides (one table over the config schema)', () => {
  it('sets nested fields over the file, keeping its siblings and leaving the file object as it was', () => {
    const file = { limits: { maxInFlight: 7 }, registry: { trace: { maxOutputBytes: 10 } } };
    const cfg = parseConfig(applyEnv(file, { MODELGATE_MAX_BODY_BYTES: '2048', MODELGATE_TRACE: 'off', MODELGATE_GRPC_PORT: 'off' }));
    expect(cfg.limits).toMatchObject({ maxInFlight: 7, maxBodyBytes: 2048 });
    expect(cfg.registry.trace).toMatchObject({ enabled: false, maxOutputBytes: 10 });
    expect(applyEnv({}, { MODELGATE_GRPC_PORT: 'off' })).toEqual({ grpc: { port: 'off' } });
    expect(file).toEqual({ limits: { maxInFlight: 7 }, registry: { trace: { maxOutputBytes: 10 } } });
  });

  it('applies the Unleash credentials only with UNLEASH_URL, which also selects the Unleash source', () => {
    expect(applyEnv({}, { UNLEASH_API_TOKEN: 't' })).toEqual({});
    expect(applyEnv({}, { UNLEASH_URL: 'http://u/api', UNLEASH_API_TOKEN: 't' })).toEqual({ flags: { unleash: { url: 'http://u/api', apiToken: 't' }, source: 'unleash' } });
  });

  it('names each variable once per field', () => {
    const fields = ENV_OVERRIDES.map((o) => o.path.join('.'));
    expect(new Set(fields).size).toBe(fields.length);
  });
});
