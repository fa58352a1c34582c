// A LoadedVersion over a scripted runner: counts runs, can hold them open or fail them.
import { LoadedVersion } from '../../src/repository/loaded-version.js';
import { Manifest, type TensorSpec } from '../../src/contracts/manifest.js';
import type { ModelRunner } from '../../src/contracts/runner.js';
import type { HostTensor, TensorMap } from '../../src/contracts/tensor.js';

export interface FakeRun {
  feeds: TensorMap;
  outputNames: readonly string[] | undefined;
}

/**
 * y = x * 2 + offset, row by row (input `x` [-1, width] -> output `y` and `z` = -y), so two
 * versions with different offsets answer differently. `gate` holds every run until released.
 */
export class FakeRunner implements ModelRunner {
  readonly mode = 'inline' as const;
  readonly provider = 'cpu' as const;
  readonly signature = { inputNames: ['x'], outputNames: ['y', 'z'], inputs: [], outputs: [] };
  readonly fallbacks = [];
  readonly runs: FakeRun[] = [];
  gate: Promise<void> | undefined;
  /** Return an error to fail this run (by its index, 0-based), or undefined to answer. */
  failWhen: (run: number, feeds: TensorMap) => Error | undefined = () => undefined;

  constructor(private readonly offset = 0) {}

  async run(feeds: TensorMap, outputNames?: readonly string[]): Promise<TensorMap> {
    const index = this.runs.length;
    this.runs.push({ feeds, outputNames });
    if (this.gate) await this.gate;
    const err = this.failWhen(index, feeds);
    if (err) throw err;
    const x = feeds.x as HostTensor;
    const y = Float32Array.from(x.data as Float32Array, (v) => v * 2 + this.offset);
    const out: TensorMap = {
      y: { type: 'float32', dims: [...x.dims], data: y },
      z: { type: 'float32', dims: [...x.dims], data: y.map((v) => -v) },
    };
    if (!outputNames || outputNames.length === 0) return out;
    return Object.fromEntries(outputNames.filter((n) => out[n]).map((n) => [n, out[n] as HostTensor]));
  }

  async dispose(): Promise<void> {}
}

export function fakeManifest(name: string, version: string, width = 2, firstDim = -1): Manifest {
  const spec = (n: string): TensorSpec => ({ name: n, datatype: 'FP32', shape: [firstDim, width] });
  return Manifest.parse({
    name,
    version,
    dataVersion: 'test',
    trainingDataHash: '0'.repeat(64),
    artifact: { sha256: '0'.repeat(64) },
    inputs: [spec('x')],
    outputs: [spec('y'), spec('z')],
    framework: { name: 'onnx', irVersion: 8, opset: 17 },
    createdAt: '2026-01-01T00:00:00.000Z',
  });
}

export function fakeVersion(name = 'm', version = '1.0.0', opts: { offset?: number; width?: number; firstDim?: number } = {}) {
  const runner = new FakeRunner(opts.offset ?? 0);
  const lv = new LoadedVersion(fakeManifest(name, version, opts.width, opts.firstDim), runner, 0);
  return { lv, runner };
}

/** Rows of `x` as a feed map. */
export const xFeeds = (rows: number[][]): TensorMap => ({
  x: { type: 'float32', dims: [rows.length, rows[0]?.length ?? 0], data: Float32Array.from(rows.flat()) },
});

/** A deferred promise: hold runs open until `release()`. */
export function latch(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
}
