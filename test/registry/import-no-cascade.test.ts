import { copyFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistrySettings } from '../../src/config/registry-schema.js';
import type { Gateway } from '../../src/gateway.js';
import { tempDir } from '../support/fixtures.js';
import { ADMIN_TOKEN, startGateway } from '../support/gateway.js';
import { DEMO } from '../support/governance.js';

/**
 * Issue 9: with the registry on, a version of models/ that fails to import is visible (log,
 * metric, repository index with its reason), does not take its children down, and imports on
 * the next start once its file is repaired.
 */
describe('models/ import into the registry does not cascade', () => {
  let gw: Gateway | undefined;
  afterEach(async () => {
    await gw?.close(0);
    gw = undefined;
  });

  it('shows the failed version, registers its child, and retries it after a repair', async () => {
    const root = tempDir('modelgate-import-');
    const models = join(root, 'models');
    for (const v of ['1.0.0', '1.1.0', '2.0.0']) cpSync(join(DEMO, v), join(models, 'property-valuation', v), { recursive: true });
    mkdirSync(join(root, 'data'), { recursive: true });
    writeFileSync(join(models, 'property-valuation', '1.1.0', 'model.onnx'), 'tampered');
    const registry = RegistrySettings.parse({ dbPath: join(root, 'data', 'registry.db'), pollIntervalMs: 0 });
    const start = () => startGateway(models, { registry, flags: { source: 'file', file: join(root, 'no-flags.json') } });
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const registered = async () =>
      ((await (await gw!.app.request('/admin/models/property-valuation/versions', { headers: admin })).json()) as { versions: { version: string }[] }).versions.map((v) => v.version);

    gw = await start();
    // 2.0.0 names 1.1.0 as its parent: judged on its own, it is registered and serves.
    expect(await registered()).toEqual(['1.0.0', '2.0.0']);
    const index = (await (await gw.app.request('/v2/repository/index', { method: 'POST', headers: admin })).json()) as { version: string; state: string; reason: string }[];
    expect(index.find((e) => e.version === '1.1.0')).toMatchObject({ state: 'FAILED', reason: expect.stringMatching(/sha256 .* does not match/) });
    const metrics = await (await gw.app.request('/metrics')).text();
    expect(metrics).toMatch(/modelgate_model_load_failures_total\{model="property-valuation",reason="hash_mismatch"\} 1/);
    await gw.close(0);

    copyFileSync(join(DEMO, '1.1.0', 'model.onnx'), join(models, 'property-valuation', '1.1.0', 'model.onnx'));
    gw = await start();
    expect(await registered()).toEqual(['1.0.0', '1.1.0', '2.0.0']);
  });
});
