import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { manifestFromGraph } from '../repository/graph-manifest.js';
import type { Manifest, WarmupSpec } from '../contracts/manifest.js';
import { readTritonConfig } from '../repository/triton-config.js';
import { loadVersion } from '../repository/version-loader.js';
import { parseWarmupFile } from '../repository/warmup-file.js';
import { cliPrincipal, parseArgs, withRegistry } from './registry-cli.js';
import { UsageError } from './usage-error.js';


/**
 * \`modelgate import\`: an ONNX file a user exported elsewhere -> a served, versioned model.
 * The manifest is read from the graph; the version is loaded and warmed up here first, so a
 * model that cannot serve is refused now, with the reason, not at the next start.
 */
export async function importCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, ['name', 'version', 'data-version', 'description', 'warmup', 'models-dir', 'token'], ['no-warmup', 'register', 'force']);
  const [file] = parsed.positional;
  const name = parsed.options.get('name');
  const version = parsed.options.get('version');
  if (!file || parsed.positional.length !== 1 || !name || !version) throw new UsageError('a file, --name and --version are required');
  if (parsed.options.has('warmup') && parsed.flags.has('no-warmup')) throw new UsageError('--warmup and --no-warmup exclude each other');

  const model = new Uint8Array(await readFile(file).catch((err: Error) => {
    throw new Error(`cannot read ${file}: ${err.message}`);
  }));
  const warmup = await warmupOption(parsed.options.get('warmup'), parsed.flags.has('no-warmup'));
  // A Triton layout (<model>/config.pbtxt beside <model>/<n>/model.onnx) is honoured on import too.
  const triton = await readTritonConfig(dirname(dirname(resolve(file))), name).catch(() => undefined);
  const manifest = await manifestFromGraph(model, {
    name,
    version,
    ...(parsed.options.has('data-version') ? { dataVersion: parsed.options.get('data-version') } : {}),
    ...(parsed.options.has('description') ? { description: parsed.options.get('description') } : {}),
    ...(warmup ? { warmup } : {}),
    ...(triton ? { tensors: triton.tensors, maxBatchSize: triton.maxBatchSize } : {}),
  });
  for (const note of triton?.unsupported ?? []) process.stderr.write(`modelgate import: config.pbtxt: ${note}\n`);

  const config = loadConfig();
  const session = { providers: config.runtime.executionProviders, intraOpThreads: config.runtime.intraOpThreads };
  const lv = await loadVersion(manifest, model, { session, runner: 'inline', workerThresholdMs: Infinity, warmupRuns: 1 });
  await lv.retire();

  if (parsed.flags.has('register')) {
    await withRegistry(async (h) => {
      const v = await h.registry.register(await cliPrincipal(h, parsed), { manifest, artifact: model });
      process.stdout.write(`registered ${v.model}@${v.version} (stage ${v.stage}) from ${basename(file)}\n`);
    });
    return;
  }
  const dir = join(resolve(parsed.options.get('models-dir') ?? config.modelsDir), name, version);
  if ((await stat(join(dir, 'manifest.json')).catch(() => undefined)) && !parsed.flags.has('force')) {
    throw new Error(`${name}@${version} already exists in ${dirname(dirname(dir))} (use --force to replace it)`);
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'model.onnx'), model);
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`${summary(manifest)}\nwrote ${join(dir, 'manifest.json')}\n`);
}

async function warmupOption(path: string | undefined, off: boolean): Promise<WarmupSpec | undefined> {
  if (off) return { enabled: false, samples: [], dims: {} };
  if (!path) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the warm-up sample ${path}: ${(err as Error).message}`);
  }
  return parseWarmupFile(json);
}

/** What was read from the graph, and what is unknown (shown, not invented). */
function summary(m: Manifest): string {
  const converted = (t: Manifest['inputs'][number]) => (t.converted ? ` (in place of ${t.converted.from}; labels ${t.converted.labels.join(', ')})` : '');
  const tensor = (t: Manifest['inputs'][number]) => `  ${t.name}: ${t.datatype} [${t.shape.join(', ')}]${t.batchAxis !== undefined ? ` batch axis ${t.batchAxis}` : ''}${converted(t)}`;
  const unknown = [!m.dataVersion && 'dataVersion', !m.trainingDataHash && 'trainingDataHash', !m.createdAt && 'createdAt'].filter(Boolean);
  return [
    `${m.name}@${m.version}: ONNX IR ${m.framework.irVersion ?? 'unknown'}, opset ${m.framework.opset ?? 'unknown'}, producer ${m.framework.producer ?? 'unknown'}`,
    'inputs:', ...m.inputs.map(tensor), 'outputs:', ...m.outputs.map(tensor),
    `unknown (not in the file): ${unknown.join(', ') || 'nothing'}`,
  ].join('\n');
}
