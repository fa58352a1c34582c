import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO } from './governance.js';

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/**
 * Run the built `modelgate` (dist/src/cli/main.js) as its own process, as an operator's shell
 * would. No MODELGATE_URL/TOKEN/ADMIN_TOKEN leak in from the test's environment, and the local
 * registry points at an empty temp folder: a command that fell back to local mode would not find
 * the gateway's data.
 */
export function modelgate(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const base: NodeJS.ProcessEnv = { ...process.env, MODELGATE_REGISTRY_DB: join(mkdtempSync(join(tmpdir(), 'modelgate-cli-local-')), 'registry.db') };
  for (const name of ['MODELGATE_URL', 'MODELGATE_TOKEN', 'MODELGATE_ADMIN_TOKEN', 'MODELGATE_DATABASE_URL', 'MODELGATE_CONFIG']) delete base[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/src/cli/main.js', ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/**
 * A temp folder with models/property-valuation/<versions> (copies of the demo) and a
 * config/gateway.json without flags (unpinned requests get the stable = production version), so
 * every answer's version is known. The gate's latency limits are wide: these tests are about the
 * CLI, not about timings on a shared machine (test/registry covers the gate).
 */
export function cliGatewayConfig(versions: string[], production: string): string {
  const root = mkdtempSync(join(tmpdir(), 'modelgate-cli-gw-'));
  const models = join(root, 'models');
  for (const v of versions) cpSync(join(DEMO, v), join(models, 'property-valuation', v), { recursive: true });
  mkdirSync(join(root, 'config'), { recursive: true });
  const config = join(root, 'config', 'gateway.json');
  writeFileSync(
    config,
    JSON.stringify({
      modelsDir: models,
      runtime: { executionProviders: ['cpu'], intraOpThreads: 1 },
      flags: { file: join(root, 'config', 'no-flags.json') },
      models: { 'property-valuation': { defaultVersion: production } },
      registry: { gate: { latencyRuns: 20, latencyRatio: 100, latencySlackMs: 1000 } },
    }),
  );
  return config;
}
