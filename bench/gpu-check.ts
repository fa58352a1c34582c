/**
 * The GPU check, run on a machine with an NVIDIA GPU (see README "GPU"): which provider each
 * preference list ends on, whether GPU outputs equal CPU outputs, what batching buys on the GPU,
 * and that several WebGPU sessions run side by side from the one thread that owns them.
 *   node dist/bench/gpu-check.js [--json out.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { InlineRunner } from '../src/runtime/inline-runner.js';
import type { ExecutionProvider } from '../src/contracts/runner.js';
import type { TensorMap } from '../src/contracts/tensor.js';
import { encodeHeavy } from '../tools/training/heavy.js';
import { loadVersion } from '../src/repository/version-loader.js';
import { Manifest } from '../src/contracts/manifest.js';

const report: Record<string, unknown> = {};
const log = (k: string, v: unknown) => {
  report[k] = v;
  console.log(`${k}: ${JSON.stringify(v)}`);
};

const heavyInput = (batch: number): TensorMap => {
  const data = new Float32Array(batch * 512);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) * 0.5;
  return { input: { type: 'float32', dims: [batch, 512], data } };
};

async function throughput(r: InlineRunner, batch: number, seconds = 2): Promise<{ runsPerS: number; infPerS: number; msPerRun: number }> {
  const feeds = heavyInput(batch);
  for (let i = 0; i < 5; i++) await r.run(feeds);
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await r.run(feeds);
    runs++;
  }
  const s = (performance.now() - start) / 1000;
  return { runsPerS: Math.round(runs / s), infPerS: Math.round((runs * batch) / s), msPerRun: Number(((s * 1000) / runs).toFixed(3)) };
}

function maxDiff(a: TensorMap, b: TensorMap): number {
  const x = a.output?.data as Float32Array;
  const y = b.output?.data as Float32Array;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (y[i] as number)) / Math.max(1, Math.abs(x[i] as number)));
  return m;
}

async function main(): Promise<void> {
  const heavy = encodeHeavy();
  const prefs: ExecutionProvider[][] = [['cuda', 'webgpu', 'cpu'], ['webgpu', 'cpu'], ['cpu']];
  for (const p of prefs) {
    const t0 = performance.now();
    try {
      const r = await InlineRunner.create(heavy, { providers: p, intraOpThreads: 0 });
      log(`provider[${p.join(',')}]`, { active: r.provider, fallbacks: r.fallbacks, createMs: Math.round(performance.now() - t0) });
      await r.dispose();
    } catch (err) {
      log(`provider[${p.join(',')}]`, { error: (err as Error).message });
    }
  }
  const cpu = await InlineRunner.create(heavy, { providers: ['cpu'], intraOpThreads: 0 });
  let gpu: InlineRunner | undefined;
  try {
    gpu = await InlineRunner.create(heavy, { providers: ['webgpu'], intraOpThreads: 0 });
  } catch (err) {
    log('webgpu', { error: (err as Error).message });
  }
  for (const b of [1, 64, 512]) {
    const ref = await cpu.run(heavyInput(b));
    if (gpu) log(`heavy.maxRelDiff.webgpu-vs-cpu.batch${b}`, maxDiff(ref, await gpu.run(heavyInput(b))));
    log(`heavy.cpu.batch${b}`, await throughput(cpu, b));
    if (gpu) log(`heavy.webgpu.batch${b}`, await throughput(gpu, b));
  }
  if (gpu) {
    // Two WebGPU sessions (two versions) interleaved from the main thread: the gateway's rule.
    const second = await InlineRunner.create(heavy, { providers: ['webgpu'], intraOpThreads: 0 });
    const runs = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? gpu : second)!.run(heavyInput(64))));
    log('webgpu.twoSessionsOneThread', { runs: runs.length, ok: runs.every((r) => (r.output?.data as Float32Array).length === 64 * 512) });
    await second.dispose();
  }
  // The loader on a GPU host: a heavy model that lands on WebGPU stays on the main thread.
  for (const v of ['1.0.0', '1.1.0', '2.0.0']) {
    const dir = `models/property-valuation/${v}`;
    const manifest = Manifest.parse(JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8')));
    const lv = await loadVersion(manifest, new Uint8Array(readFileSync(`${dir}/model.onnx`)), {
      session: { providers: ['cuda', 'webgpu', 'cpu'], intraOpThreads: 1 }, runner: 'auto', workerThresholdMs: 1, warmupRuns: 5,
    });
    log(`loader.property-valuation@${v}`, { provider: lv.runner.provider, runner: lv.runner.mode, warmupMs: Number(lv.warmupMs.toFixed(3)) });
    await lv.runner.dispose();
  }
  await cpu.dispose();
  await gpu?.dispose();
  const out = process.argv.indexOf('--json');
  if (out > 0 && process.argv[out + 1]) writeFileSync(process.argv[out + 1] as string, JSON.stringify(report, null, 2));
}

void main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
