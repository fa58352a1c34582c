import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SweepResult } from '../../src/perf/batching-sweep.js';
import { buildHeavyModel } from '../../tools/training/heavy.js';
import { tempDir } from '../support/fixtures.js';
import { perf } from '../support/perf-cli.js';


/**
 * `--sweep-batching` spawning its own gateways: batching pays for mlp-heavy at 32 connections
 * (inference dominates a request) and not for property-valuation one request at a time. Two
 * settings each (off, 32 rows / 2 ms), so the test stays within a minute or two.
 */
describe('modelgate perf --sweep-batching', () => {
  const dir = tempDir('modelgate-perf-sweep-');
  const models = join(dir, 'models');

  beforeAll(async () => {
    // mlp-heavy is git-ignored: generated (deterministically, ~25 MB, a few seconds) for the test.
    await buildHeavyModel(models);
    cpSync(join('models', 'property-valuation'), join(models, 'property-valuation'), { recursive: true });
  }, 60_000);

  const sweep = async (model: string, concurrency = '32') => {
    const json = join(dir, `${model}.json`);
    const r = await perf(
      '--model', model, '--sweep-batching', '--p99-budget', '2000ms', '--models-dir', models, '--batch-sizes', '1,32', '--queue-delays', '2000',
      '--concurrency', concurrency, '--cache', 'off', '--duration', '1s', '--warmup', '1s', '--windows', '2', '--max-windows', '4', '--quiet', '--json', json,
    );
    expect(r.code, r.err).toBe(0);
    return { text: r.out, result: JSON.parse(readFileSync(json, 'utf8')) as SweepResult };
  };

  it('recommends batching for mlp-heavy, with the config to paste', async () => {
    const { text, result } = await sweep('mlp-heavy');
    const [off, on] = result.trials;
    console.log(`mlp-heavy: off ${off?.best?.throughput.toFixed(0)} req/s, 32 x 2 ms ${on?.best?.throughput.toFixed(0)} req/s`);
    expect(result.batchingHelps).toBe(true);
    expect(result.recommended?.batching).toEqual({ enabled: true, maxBatchSize: 32, maxQueueDelayMicros: 2000 });
    expect(on?.steps[0]?.server?.batchSize).toBeGreaterThan(1);
    expect(text).toMatch(/batching helps mlp-heavy/);
    expect(text).toMatch(/"maxBatchSize": 32,\s+"maxQueueDelayMicros": 2000/);
  }, 240_000);

  // At 32 connections batching pays for property-valuation too on a 2-core machine (measured 7.7k ->
  // 11.9k req/s: fewer onnxruntime calls, as the bench's batched-per-turn row shows). With requests
  // one at a time there is nothing to batch, and the queue delay only adds latency.
  it('keeps batching off for property-valuation when requests come one at a time', async () => {
    const { text, result } = await sweep('property-valuation', '1');
    const [off, on] = result.trials;
    console.log(`property-valuation: off ${off?.best?.throughput.toFixed(0)} req/s, 32 x 2 ms ${on?.best?.throughput.toFixed(0)} req/s`);
    expect(result.batchingHelps).toBe(false);
    expect(result.recommended?.batching.enabled).toBe(false);
    expect(text).toMatch(/batching does not help property-valuation/);
  }, 240_000);
});
