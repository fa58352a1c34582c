import { UsageError } from './usage-error.js';
import { buildModels } from '../training/build-models.js';

/**
 * `modelgate models [--out <dir>] [--no-heavy]`: regenerates the demo models (and, unless
 * --no-heavy, the benchmark model) deterministically.
 */
export async function modelsCommand(args: string[]): Promise<void> {
  let out = 'models';
  let heavy = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--out') {
      const value = args[++i];
      if (!value) throw new UsageError('--out needs a directory');
      out = value;
    } else if (arg?.startsWith('--out=')) {
      out = arg.slice('--out='.length);
    } else if (arg === '--no-heavy') {
      heavy = false;
    } else {
      throw new UsageError(`unknown option '${arg}'`);
    }
  }
  const t0 = performance.now();
  const built = await buildModels(out, { heavy, log: (msg) => console.log(msg) });
  for (const m of built) {
    const metrics = Object.entries(m.metrics)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    console.log(`${m.name}@${m.version}  sha256:${m.sha256.slice(0, 12)}  ${metrics || '(no metrics)'}`);
  }
  console.log(`built ${built.length} model(s) into ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
