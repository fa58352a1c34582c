import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDemoModels, tempDir } from '../support/fixtures.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { HOUSE } from '../support/governance.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { tracedRecord } from '../support/trace-record.js';

describe('input digests where BLAKE3 is missing (a platform without the prebuilt binding)', () => {
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    const env = { MODELGATE_MODELS_DIR: copyDemoModels(tempDir('modelgate-digest-')), MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN };
    // The binding's platform package is not found, as on a platform npm ships no binary for.
    const without = { ...env, NODE_OPTIONS: `--require ${join(process.cwd(), 'test/support/without-blake3.cjs')}` };
    servers.push(await startServerProcess(without), await startServerProcess(env));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('serves and caches as before, with SHA-256 digests that say so, and warns once at start', async () => {
    const [without, withBlake3] = servers as [ServerProcess, ServerProcess];
    for (const [server, algorithm] of [[without, 'sha256'], [withBlake3, 'blake3']] as const) {
      const call = (id: string) =>
        fetch(`${server.url}/v1/models/property-valuation/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify(HOUSE) });
      const [first, second] = [await call(`${algorithm}-1`), await call(`${algorithm}-2`)];
      expect([first.status, second.status]).toEqual([200, 200]);
      expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['miss', 'hit']);
      expect(((await second.json()) as { predictions: number[] }).predictions).toEqual(((await first.json()) as { predictions: number[] }).predictions);
      expect((await tracedRecord(server.url, ADMIN_TOKEN, `${algorithm}-1`)).inputDigest).toMatch(new RegExp(`^${algorithm}:[0-9a-f]{64}$`));
    }
    expect(without.logs()).toContain("@napi-rs/blake-hash's binding did not load on this platform");
    expect(withBlake3.logs()).not.toContain('@napi-rs/blake-hash');
  });
});
