import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { FeatureSpec } from '../contracts/manifest.js';
import { assertNames } from '../contracts/names.js';
import { compareSemver } from '../repository/semver.js';
import { featureTypes } from './feature-types.js';
import { parseArgs } from './registry-cli.js';
import { UsageError } from './usage-error.js';

/**
 * `modelgate types <model> [--version <v>] [--models-dir <dir>] [--out <file>]`: TypeScript
 * types for a model's named features, from the manifest of a version on disk (default: the highest).
 */
export async function typesCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, ['version', 'models-dir', 'out']);
  const [model] = parsed.positional;
  if (!model || parsed.positional.length !== 1) throw new UsageError('one model name is required');
  const asked = parsed.options.get('version');
  assertNames(model, asked);
  const dir = join(parsed.options.get('models-dir') ?? loadConfig().modelsDir, model);
  const versions = await readdir(dir).catch(() => {
    throw new Error(`no model '${model}' in ${dir}`);
  });
  const version = asked ?? versions.filter((v) => /^\d/.test(v)).sort(compareSemver).at(-1);
  if (!version || !versions.includes(version)) throw new Error(`no version ${asked ? `'${asked}' ` : ''}of '${model}' in ${dir}`);
  const manifest = JSON.parse(await readFile(join(dir, version, 'manifest.json'), 'utf8')) as { features?: unknown };
  const features = FeatureSpec.array().safeParse(manifest.features ?? []);
  if (!features.success) throw new Error(`${model}@${version}: the manifest's features are not valid: ${features.error.issues[0]?.message}`);
  if (features.data.length === 0) throw new Error(`${model}@${version} has no named features (its inputs are tensors: use OIP infer)`);
  const out = featureTypes(model, version, features.data);
  const file = parsed.options.get('out');
  if (file) await writeFile(file, out);
  else process.stdout.write(out);
}
