import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchingExecutor } from '../../src/batching/batching-executor.js';
import { DirectExecutor } from '../../src/core/direct-executor.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { LoadedVersion } from '../../src/repository/loaded-version.js';
import { loadVersion, readArtifact, readManifest } from '../../src/repository/version-loader.js';
import type { TensorMap } from '../../src/contracts/tensor.js';
import { buildHeavyModel } from '../../tools/training/heavy.js';
import { tempDir } from '../support/fixtures.js';

async function load(dir: string, runner: 'inline' | 'worker'): Promise<LoadedVersion> {
  const manifest = await readManifest(dir);
  const artifact = await readArtifact(dir, manifest);
  return loadVersion(manifest, artifact, {
    session: { providers: ['cpu'], intraOpThreads: 1 },
    runner,
    workerThresholdMs: 1,
    warmupRuns: 1,
  });
}

const feeds = (input: string, rows: number[][]): TensorMap => ({
  [input]: { type: 'float32', dims: [rows.length, rows[0]?.length ?? 0], data: Float32Array.from(rows.flat()) },
});
const bytes = (t: TensorMap) => Object.entries(t).map(([name, x]) => [name, x.dims, Buffer.from((x.data as Float32Array).slice().buffer).toString('hex')]);

/**
 * Each request alone on the session, then all of them at once through the batcher: the
 * outputs must be the same bits. Requests of 1 to 3 rows, so splitting by row counts is tested.
 */
async function expectBatchedEqualsUnbatched(lv: LoadedVersion, rows: number[][], maxBatchSize: number): Promise<number> {
  const input = lv.manifest.inputs[0]?.name as string;
  const requests: number[][][] = [];
  for (let i = 0, n = 1; i < rows.length; i += n, n = (n % 3) + 1) requests.push(rows.slice(i, i + n));
  const alone: TensorMap[] = [];
  for (const r of requests) alone.push(await lv.runner.run(feeds(input, r)));

  const metrics = new GatewayMetrics(undefined, { processMetrics: false });
  const executor = new BatchingExecutor(new DirectExecutor(metrics), () => ({ enabled: true, maxBatchSize, maxQueueDelayMicros: 2_000 }), metrics);
  const batched = await Promise.all(requests.map((r) => executor.run(lv, feeds(input, r), undefined, {})));
  batched.forEach((b, i) => expect(bytes(b.outputs), `request ${i}`).toEqual(bytes(alone[i] as TensorMap)));

  const sizes = await metrics.registry.getSingleMetric('modelgate_batch_size')?.get();
  const count = sizes?.values.find((v) => (v as { metricName?: string }).metricName === 'modelgate_batch_size_count')?.value ?? 0;
  expect(count).toBeLessThan(requests.length);
  return count;
}

describe('batched outputs are bit-identical to unbatched runs', () => {
  describe.each(['1.0.0', '1.1.0', '2.0.0'])('property-valuation %s (inline runner)', (version) => {
    let lv: LoadedVersion;
    const dir = join(process.cwd(), 'models', 'property-valuation', version);
    beforeAll(async () => {
      lv = await load(dir, 'inline');
    });
    afterAll(() => lv.retire());

    it('on its holdout rows', async () => {
      const holdout = JSON.parse(readFileSync(join(dir, 'holdout.json'), 'utf8')) as { rows: number[][] };
      await expectBatchedEqualsUnbatched(lv, holdout.rows.slice(0, 120), 32);
    });
  });

  describe('mlp-heavy 512-2048-2048-512 (worker runner)', () => {
    let lv: LoadedVersion;
    let built: string | undefined;
    beforeAll(async () => {
      let dir = join(process.cwd(), 'models', 'mlp-heavy', '1.0.0');
      if (!existsSync(join(dir, 'model.onnx'))) {
        built = tempDir('modelgate-heavy-');
        await buildHeavyModel(built);
        dir = join(built, 'mlp-heavy', '1.0.0');
      }
      lv = await load(dir, 'worker');
    });
    afterAll(async () => {
      await lv.retire();
      if (built) rmSync(built, { recursive: true, force: true });
    });

    it('runs off the main thread and batches without changing a bit', async () => {
      expect(lv.runner.mode).toBe('worker');
      let seed = 7;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
      const rows = Array.from({ length: 48 }, () => Array.from({ length: 512 }, rnd));
      await expectBatchedEqualsUnbatched(lv, rows, 16);
    });
  });
});
