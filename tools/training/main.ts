// `npm run models [-- --out DIR] [-- --no-heavy]`: regenerate the demo models (and the benchmark
// model) deterministically. A development tool: not part of the served build.
import { parseArgs } from 'node:util';
import { buildModels } from './build-models.js';

const USAGE = 'usage: npm run models -- [--out <dir>] [--no-heavy]';

async function main(): Promise<void> {
  let values: { out?: string; 'no-heavy'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { out: { type: 'string' }, 'no-heavy': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const out = values.out ?? 'models';
  const t0 = performance.now();
  const built = await buildModels(out, { heavy: !values['no-heavy'], log: (msg) => console.log(msg) });
  for (const m of built) {
    const metrics = Object.entries(m.metrics)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    console.log(`${m.name}@${m.version}  sha256:${m.sha256.slice(0, 12)}  ${metrics || '(no metrics)'}`);
  }
  console.log(`built ${built.length} model(s) into ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  process.stderr.write(`models: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
