import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InlineRunner } from '../../src/runtime/inline-runner.js';
import { WorkerRunner } from '../../src/runtime/worker-runner.js';
import { encodeHeavy } from '../../tools/training/heavy.js';

const model = (v: string) => new Uint8Array(readFileSync(join(process.cwd(), 'models/property-valuation', v, 'model.onnx')));
const rows = (n: number) => {
  const data = new Float32Array(n * 8);
  for (let i = 0; i < n; i++) data.set([900 + 37 * i, 1 + (i % 6), 1 + (i % 4), 1950 + (i % 70), 2000 + 13 * i, i % 5, 1 + (i % 5), i % 4], i * 8);
  return { features: { type: 'float32' as const, dims: [n, 8], data } };
};

describe('runners', () => {
  it('worker and inline runners give bit-identical outputs', async () => {
    const session = { providers: ['cpu' as const], intraOpThreads: 1 };
    const inline = await InlineRunner.create(model('1.1.0'), session);
    const worker = await WorkerRunner.create(model('1.1.0'), session);
    try {
      const feeds = rows(64);
      const a = await inline.run(feeds);
      const b = await worker.run(feeds);
      expect(Array.from(b.price?.data as Float32Array)).toEqual(Array.from(a.price?.data as Float32Array));
      expect(worker.mode).toBe('worker');
      expect(inline.mode).toBe('inline');
    } finally {
      await inline.dispose();
      await worker.dispose();
    }
  });

  it('falls back along the provider list and reports what failed', async () => {
    // This machine has no CUDA provider library and no GPU adapter: both are refused, CPU serves.
    const r = await InlineRunner.create(model('1.0.0'), { providers: ['cuda', 'webgpu', 'cpu'], intraOpThreads: 1 });
    try {
      expect(r.provider).toBe('cpu');
      expect(r.fallbacks.map((f) => f.provider)).toEqual(['cuda', 'webgpu']);
      expect(r.fallbacks[0]?.error).toBeTruthy();
    } finally {
      await r.dispose();
    }
  });

  it('fails cleanly, without a crash, when no provider works', async () => {
    await expect(InlineRunner.create(model('1.0.0'), { providers: ['cuda'], intraOpThreads: 1 })).rejects.toThrow(/no execution provider could create a session \(cuda: /);
  });

  it('a heavy model on the worker leaves the event loop free', async () => {
    const heavy = encodeHeavy();
    const worker = await WorkerRunner.create(heavy, { providers: ['cpu'], intraOpThreads: 1 });
    try {
      const input = { input: { type: 'float32' as const, dims: [64, 512], data: new Float32Array(64 * 512).fill(0.5) } };
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      await Promise.all([worker.run(input), worker.run(input), worker.run(input), worker.run(input)]);
      clearInterval(timer);
      // Four batch-64 runs of a 6.3M-parameter MLP take tens of ms; the main thread kept ticking meanwhile.
      expect(ticks).toBeGreaterThan(3);
    } finally {
      await worker.dispose();
    }
  });

  it('rejects in-flight runs with a clear error when the worker is disposed', async () => {
    const worker = await WorkerRunner.create(model('1.0.0'), { providers: ['cpu'], intraOpThreads: 1 });
    await worker.dispose();
    await expect(worker.run(rows(1))).rejects.toThrow(/inference worker is not running/);
  });
});
