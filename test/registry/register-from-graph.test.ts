import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { startGoverned, type GovernedGateway } from '../support/governance.js';
import { THIRD_PARTY, thirdPartyModel, wakeRequest, warmupFile } from '../support/third-party-models.js';

/** Issue 9: the registry's register route takes a bare ONNX file and reads its manifest from the graph. */
describe('POST /admin/models/{m}/versions without a manifest part', () => {
  let g: GovernedGateway;
  beforeAll(async () => {
    g = await startGoverned();
  });
  afterAll(async () => {
    await g?.close();
  });

  const register = (file: string, fields: Record<string, string>) => {
    const form = new FormData();
    form.append('model', new Blob([readFileSync(thirdPartyModel(file))]), 'model.onnx');
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    return g.call('/admin/models/hello-deepa/versions', { method: 'POST', token: ADMIN_TOKEN, body: form });
  };

  it('registers integer versions of a third-party model, training facts unknown (null), and refuses a bare file without a version', async () => {
    // (The registry's upload shares the gateway's 1 MiB body limit, so the small wake-word model is used here.)
    const first = await register(THIRD_PARTY.wakeOld, { version: '1', warmup: warmupFile(wakeRequest(24, 1)) });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ model: 'hello-deepa', version: '1', data_version: null, training_data_hash: null });
    // The new model takes 25 frames, not 24: as integer version 2 it is a new major, so the version rules accept it.
    const second = await register(THIRD_PARTY.wakeNew, { version: '2', data_version: 'hello-deepa-2' });
    expect(second.status).toBe(201);
    expect(await second.json()).toMatchObject({ version: '2', data_version: 'hello-deepa-2' });
    const detail = (await (await g.call('/admin/models/hello-deepa/versions/2', { token: ADMIN_TOKEN })).json()) as { manifest: { inputs: { name: string; shape: number[] }[]; framework: object } };
    expect(detail.manifest.inputs.map((i) => `${i.name}[${i.shape.join(',')}]`)).toEqual(['onnx::Flatten_0[1,25,96]']);
    expect(detail.manifest.framework).toMatchObject({ irVersion: 7, opset: 13, producer: 'pytorch 2.8.0' });

    const bare = await register(THIRD_PARTY.wakeNew, {});
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as { error: string }).error).toMatch(/needs a 'version' field/);
  });
});
