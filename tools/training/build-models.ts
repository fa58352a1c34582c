import { runOnnx, roundedMetrics } from './evaluate.js';
import { buildHeavyModel } from './heavy.js';
import { MODEL_NAME, trainPropertyValuation } from './property-valuation.js';
import { writeRelease, type BuiltModel } from './release.js';

export type { BuiltModel } from './release.js';

export interface BuildOptions {
  /** Also build the ~25 MB benchmark model (default true). */
  heavy?: boolean;
  log?: (msg: string) => void;
}

/**
 * Trains and exports every demo model into `outDir` (<outDir>/<name>/<version>/). The whole
 * pipeline is seeded and timestamp-free, so two runs produce byte-identical files and the
 * committed models can be proven to come from this code.
 */
export async function buildModels(outDir: string, opts: BuildOptions = {}): Promise<BuiltModel[]> {
  const log = opts.log ?? (() => {});
  const built: BuiltModel[] = [];
  for (const trained of trainPropertyValuation(log)) {
    // Metrics come from the exported artifact run by onnxruntime, not from the JS learner.
    const { columns, rows, targets } = trained.holdout;
    const predictions = await runOnnx(trained.onnx, 'features', 'price', rows);
    const metrics = roundedMetrics(predictions, targets);
    if (columns.length !== rows[0]?.length) throw new Error(`${MODEL_NAME} ${trained.version}: holdout width mismatch`);
    built.push(await writeRelease(outDir, { ...trained.draft, metrics }, trained.onnx, trained.holdout));
  }
  if (opts.heavy !== false) {
    const t0 = performance.now();
    built.push(await buildHeavyModel(outDir));
    log(`generated mlp-heavy 1.0.0 in ${Math.round(performance.now() - t0)} ms`);
  }
  return built;
}
