import { UsageError } from './usage-error.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayClient, remoteTarget } from './remote/gateway-client.js';
import { parseArgs } from './parse-args.js';

const USAGE = 'usage: modelgate register <version-dir> [--json] [--url <gateway>] [--token <token>]';

/** `modelgate register <dir>`: register manifest.json + its model.onnx (+ holdout) from a version folder. */
export async function registerCommand(args: string[]): Promise<void> {
  const parsed = parseArgs(args, ['url', 'token'], ['json']);
  const [dir] = parsed.positional;
  if (!dir || parsed.positional.length !== 1) throw new UsageError(USAGE);
  const target = remoteTarget(parsed);
  if (target) return (await import('./remote/registry-remote.js')).registerRemote(new GatewayClient(target), dir, parsed.flags.has('json'));
  let manifest: { artifact?: { path?: unknown }; holdout?: { path?: unknown } };
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as typeof manifest;
  } catch (err) {
    throw new Error(`cannot read ${join(dir, 'manifest.json')}: ${(err as Error).message}`);
  }
  const artifactPath = typeof manifest.artifact?.path === 'string' ? manifest.artifact.path : 'model.onnx';
  const artifact = new Uint8Array(await readFile(join(dir, artifactPath)));
  const holdoutPath = typeof manifest.holdout?.path === 'string' ? manifest.holdout.path : undefined;
  const holdout = holdoutPath ? new Uint8Array(await readFile(join(dir, holdoutPath))) : undefined;
  const { cliPrincipal, withRegistry } = await import('./registry-cli.js');
  await withRegistry(async (h) => {
    const actor = await cliPrincipal(h, parsed);
    const v = await h.registry.register(actor, { manifest, artifact, ...(holdout ? { holdout } : {}) });
    process.stdout.write(
      `registered ${v.model}@${v.version} by ${v.registeredBy}: stage ${v.stage}, data ${v.dataVersion}, ` +
        `parent ${v.parentVersion ?? '-'}, artifact sha256:${v.artifactSha256.slice(0, 12)}, ` +
        `holdout ${v.holdoutSha256 ? `sha256:${v.holdoutSha256.slice(0, 12)}` : '-'}\n`,
    );
  });
}
