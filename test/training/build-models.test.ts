import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Holdout, Manifest } from '../../src/contracts/manifest.js';
import { buildModels, type BuiltModel } from '../../tools/training/build-models.js';
import { runOnnx, roundedMetrics } from '../../tools/training/evaluate.js';
import { sha256 } from '../../tools/training/release.js';

const COMMITTED = join(import.meta.dirname, '..', '..', 'models');
const VERSIONS = ['1.0.0', '1.1.0', '2.0.0'];

/** Every file under `root`, as relative path -> sha256. */
async function digests(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const full = join(e.parentPath, e.name);
    out.set(relative(root, full), sha256(await readFile(full)));
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

describe('buildModels (heavy: false)', () => {
  const dirs: string[] = [];
  let first: BuiltModel[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) dirs.push(await mkdtemp(join(tmpdir(), 'modelgate-models-')));
    first = await buildModels(dirs[0] ?? '', { heavy: false });
    await buildModels(dirs[1] ?? '', { heavy: false });
  }, 180_000);

  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('builds the three property-valuation versions and no heavy model', () => {
    expect(first.map((m) => `${m.name}@${m.version}`)).toEqual(VERSIONS.map((v) => `property-valuation@${v}`));
  });

  it('is deterministic: two runs give byte-identical files', async () => {
    const a = await digests(dirs[0] ?? '');
    const b = await digests(dirs[1] ?? '');
    expect(a.size).toBe(9);
    expect(b).toEqual(a);
  });

  it('reproduces the committed models/property-valuation files exactly', async () => {
    const built = await digests(join(dirs[0] ?? '', 'property-valuation'));
    const committed = await digests(join(COMMITTED, 'property-valuation'));
    expect(committed).toEqual(built);
  });

  for (const version of VERSIONS) {
    describe(version, () => {
      const dir = (): string => join(dirs[0] ?? '', 'property-valuation', version);
      const load = async (): Promise<{ manifest: Manifest; holdout: Holdout; onnx: Buffer }> => ({
        manifest: Manifest.parse(JSON.parse(await readFile(join(dir(), 'manifest.json'), 'utf8'))),
        holdout: Holdout.parse(JSON.parse(await readFile(join(dir(), 'holdout.json'), 'utf8'))),
        onnx: await readFile(join(dir(), 'model.onnx')),
      });

      it('has a valid manifest whose artifact digest and size match', async () => {
        const { manifest, holdout, onnx } = await load();
        expect(manifest.version).toBe(version);
        expect(manifest.artifact.sha256).toBe(sha256(onnx));
        expect(manifest.artifact.bytes).toBe(onnx.byteLength);
        expect(onnx.byteLength).toBeLessThan(1_000_000);
        expect(holdout.columns).toEqual(manifest.features.map((f) => f.name));
        expect(manifest.holdout?.rows).toBe(holdout.rows.length);
        expect(Object.keys(manifest.referenceStats)).toEqual(holdout.columns);
      });

      it('reports metrics that onnxruntime reproduces on the holdout set', async () => {
        const { manifest, holdout, onnx } = await load();
        const input = manifest.inputs[0]?.name ?? '';
        const output = manifest.outputs[0]?.name ?? '';
        const predictions = await runOnnx(onnx, input, output, holdout.rows);
        expect(roundedMetrics(predictions, holdout.targets)).toEqual(manifest.metrics);
        expect(manifest.metrics.r2).toBeGreaterThan(0.8);
      });
    });
  }

  it('records the lineage and the breaking input change', async () => {
    const read = async (v: string): Promise<Manifest> =>
      Manifest.parse(JSON.parse(await readFile(join(dirs[0] ?? '', 'property-valuation', v, 'manifest.json'), 'utf8')));
    const [v100, v110, v200] = await Promise.all(VERSIONS.map(read));
    expect(v100?.lineage.parentVersion).toBeNull();
    expect(v110?.lineage.parentVersion).toBe('1.0.0');
    expect(v200?.lineage.parentVersion).toBe('1.1.0');
    expect(v110?.inputs).toEqual(v100?.inputs);
    expect(v110?.features).toEqual(v100?.features);
    expect(v200?.inputs[0]?.shape).not.toEqual(v100?.inputs[0]?.shape);
    expect(new Set([v100?.trainingDataHash, v110?.trainingDataHash, v200?.trainingDataHash]).size).toBe(3);
    expect(v110?.framework.mlOpset).toBe(3);
  });
});
