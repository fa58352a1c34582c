import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Manifest } from '../../src/contracts/manifest.js';
import { runOnnx } from '../../tools/training/evaluate.js';
import { buildHeavyModel } from '../../tools/training/heavy.js';
import { sha256 } from '../../tools/training/release.js';
import { Rng } from '../../tools/training/rng.js';

describe('mlp-heavy benchmark model', () => {
  it('writes a valid manifest and a 512 -> 512 model with bounded outputs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modelgate-heavy-'));
    try {
      const built = await buildHeavyModel(dir);
      const manifest = Manifest.parse(JSON.parse(await readFile(join(built.dir, 'manifest.json'), 'utf8')));
      const onnx = await readFile(join(built.dir, 'model.onnx'));
      expect(manifest.artifact.sha256).toBe(sha256(onnx));
      expect(built.sha256).toBe(manifest.artifact.sha256);
      expect(manifest.features).toEqual([]);
      const rng = new Rng(7);
      const rows = Array.from({ length: 4 }, () => Array.from({ length: 512 }, () => rng.gaussian()));
      const out = await runOnnx(onnx, 'input', 'output', rows);
      expect(out).toHaveLength(4 * 512);
      expect(out.every(Number.isFinite)).toBe(true);
      // He init keeps activations O(1) for unit-scale inputs.
      const rms = Math.sqrt(out.reduce((s, v) => s + v * v, 0) / out.length);
      expect(rms).toBeGreaterThan(0.1);
      expect(rms).toBeLessThan(10);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
