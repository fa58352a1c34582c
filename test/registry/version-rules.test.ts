import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { createToken, demoFiles, scaledVersion, startGoverned, upload, uploadBody, type GovernedGateway, type VersionFiles } from '../support/governance.js';
import { sha256 } from '../support/fixtures.js';

/** 1.0.0 and 1.1.0 are registered (first-start import); each case submits one new version. */
describe('version rules at registration', () => {
  let g: GovernedGateway;
  let deployer: string;

  beforeAll(async () => {
    g = await startGoverned({ versions: ['1.0.0', '1.1.0'], production: '1.0.0' });
    deployer = await createToken(g, 'erin', 'deployer');
  });
  afterAll(async () => g?.close());

  const v11 = () => demoFiles('1.1.0');
  const NEW_DATA = { dataVersion: '2026.09', trainingDataHash: 'ab'.repeat(32) };

  const cases: { name: string; files: () => VersionFiles; status: number; rule?: string; message: RegExp }[] = [
    { name: 'the same version again', files: v11, status: 409, rule: 'version_exists', message: /already registered/ },
    {
      name: 'a lower version than the latest',
      files: () => scaledVersion('1.1.0', '1.0.5', 1.01, { lineage: { parentVersion: '1.0.0' } }),
      status: 409,
      rule: 'semver_must_increase',
      message: /greater than the latest registered 1\.1\.0/,
    },
    {
      name: 'an artifact registered before, under a new version',
      files: () => ({ ...v11(), manifest: { ...v11().manifest, version: '1.2.0' } }),
      status: 409,
      rule: 'duplicate_artifact',
      message: /already registered as property-valuation@1\.1\.0/,
    },
    {
      name: 'a new input schema without a major bump',
      files: () => ({ ...demoFiles('2.0.0'), manifest: { ...demoFiles('2.0.0').manifest, version: '1.2.0' } }),
      status: 409,
      rule: 'schema_change_requires_major',
      message: /changes the inputs, features schema.*needs a major version \(2\.0\.0\)/,
    },
    {
      name: 'new training data under the same dataVersion',
      files: () => scaledVersion('1.1.0', '1.2.0', 1.01, { trainingDataHash: 'cd'.repeat(32) }),
      status: 409,
      rule: 'data_change_requires_data_version',
      message: /needs a new dataVersion/,
    },
    {
      name: 'a parent version that is not registered',
      files: () => scaledVersion('1.1.0', '1.2.0', 1.01, { lineage: { parentVersion: '1.0.7' } }),
      status: 409,
      rule: 'unknown_parent',
      message: /names parent 1\.0\.7/,
    },
    {
      name: 'an artifact that is not the one the manifest hashes',
      files: () => ({ ...scaledVersion('1.1.0', '1.2.0', 1.01), model: demoFiles('1.0.0').model }),
      status: 400,
      message: /is not the manifest's artifact\.sha256/,
    },
    {
      name: 'an invalid manifest',
      files: () => ({ ...v11(), manifest: { ...v11().manifest, version: 'v2' } }),
      status: 400,
      message: /invalid manifest.*semver/s,
    },
    {
      name: 'bytes that are not an ONNX graph',
      files: () => {
        const junk = new TextEncoder().encode('not an onnx model');
        const base = v11();
        return { ...base, model: junk, manifest: { ...base.manifest, version: '1.2.0', artifact: { path: 'model.onnx', sha256: sha256(junk), bytes: junk.length } } };
      },
      status: 422,
      message: /onnxruntime could not create a session/,
    },
  ];

  it.each(cases)('refuses $name: $status $rule', async ({ files, status, rule, message }) => {
    const res = await upload(g, deployer, files());
    const body = (await res.json()) as { error: string; details?: { rule?: string } };
    expect(res.status).toBe(status);
    expect(body.error).toMatch(message);
    // The model was loaded from the upload's temp file: its path is never shown.
    expect(body.error).not.toMatch(/modelgate-upload-/);
    if (rule) expect(body.details?.rule).toBe(rule);
  });

  it('accepts new training data under a new dataVersion, and a new schema under a major version', async () => {
    const data = await upload(g, deployer, scaledVersion('1.1.0', '1.2.0', 1.01, NEW_DATA));
    expect(data.status).toBe(201);
    const major = await upload(g, deployer, { ...demoFiles('2.0.0'), manifest: { ...demoFiles('2.0.0').manifest, lineage: { parentVersion: '1.2.0' } } });
    expect(major.status).toBe(201);
  });

  it('lists versions with their lineage', async () => {
    const res = await g.call('/admin/models/property-valuation/versions', { token: deployer });
    const body = (await res.json()) as { versions: Record<string, unknown>[] };
    expect(body.versions.map((v) => [v.version, v.stage, v.data_version, v.parent_version, v.registered_by])).toEqual([
      ['1.0.0', 'production', '2026.01', null, 'system:import'],
      ['1.1.0', 'none', '2026.06', '1.0.0', 'system:import'],
      ['1.2.0', 'none', '2026.09', '1.1.0', 'erin'],
      ['2.0.0', 'none', '2026.06-geo', '1.2.0', 'erin'],
    ]);
    expect(body.versions[2]).toMatchObject({ training_data_hash: 'ab'.repeat(32), artifact_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('refuses an upload that is not multipart (415) or lacks the model part (400) or names another model (400)', async () => {
    const asJson = await g.call('/admin/models/property-valuation/versions', {
      method: 'POST',
      token: deployer,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(asJson.status).toBe(415);
    const form = uploadBody(scaledVersion('1.1.0', '1.3.0', 1.01));
    form.delete('model');
    const noModel = await g.call('/admin/models/property-valuation/versions', { method: 'POST', token: deployer, body: form });
    expect(noModel.status).toBe(400);
    const other = await g.call('/admin/models/other-model/versions', { method: 'POST', token: ADMIN_TOKEN, body: uploadBody(scaledVersion('1.1.0', '1.3.0', 1.01)) });
    expect(other.status).toBe(400);
  });

  it('registered versions serve (pinned) right after registration', async () => {
    const res = await g.call('/v1/models/property-valuation/versions/1.2.0/predict', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [{ sqft: 1500, bedrooms: 3, bathrooms: 2, year_built: 1990, lot_size: 4000, location_cluster: 2, condition: 3, garage_spaces: 1 }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-model-version')).toBe('1.2.0');
  });
});
