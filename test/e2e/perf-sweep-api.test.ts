import { spawn } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepResult } from '../../src/perf/batching-sweep.js';
import { tempDir } from '../support/fixtures.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { perf } from '../support/perf-cli.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const MODEL = 'property-valuation';
const SHORT = ['--duration', '1s', '--warmup', '1s', '--windows', '2', '--max-windows', '3'];

interface Setting {
  enabled: boolean;
  maxBatchSize: number;
  maxQueueDelayMicros: number;
}

/**
 * `--sweep-batching` against a running gateway (--url + a deployer token): each setting is put
 * through the admin batching API (the server's own batch sizes show it took effect), and the
 * gateway's setting is restored at the end, after Ctrl-C too. Mechanics only: which setting wins
 * is the local sweep's test (perf-sweep.test.ts) and the bench's.
 */
describe('modelgate perf --sweep-batching --url (the admin API)', () => {
  let server: ServerProcess;
  let deployer: string;
  const dir = tempDir('modelgate-perf-sweep-api-');
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...init.headers } });
  const current = async () => (await (await admin(`/admin/models/${MODEL}/batching`)).json()) as Setting;

  beforeAll(async () => {
    const models = join(dir, 'models');
    cpSync(join('models', MODEL), join(models, MODEL), { recursive: true });
    server = await startServerProcess({ MODELGATE_MODELS_DIR: models, MODELGATE_FLAGS_FILE: join(process.cwd(), 'bench/flags-off.json'), MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN });
    const res = await admin('/admin/tokens', { method: 'POST', body: JSON.stringify({ principal: 'sweeper', role: 'deployer' }) });
    deployer = ((await res.json()) as { token: string }).token;
    // A setting of the operator's own, which the sweep must give back.
    expect((await admin(`/admin/models/${MODEL}/batching`, { method: 'PUT', body: JSON.stringify({ enabled: false, maxBatchSize: 5, maxQueueDelayMicros: 700 }) })).status).toBe(200);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('measures each setting on the gateway itself, audited as the token\'s principal, and restores the original', async () => {
    const json = join(dir, 'sweep.json');
    const r = await perf(
      '--url', server.url, '--token', deployer, '--model', MODEL, '--sweep-batching', '--p99-budget', '2000ms', '--batch-sizes', '1,8', '--queue-delays', '2000',
      '--concurrency', '8', ...SHORT, '--quiet', '--json', json,
    );
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8')) as SweepResult;
    expect(result.trials.map((t) => t.batching)).toEqual([
      { enabled: false, maxBatchSize: 1, maxQueueDelayMicros: 0 },
      { enabled: true, maxBatchSize: 8, maxQueueDelayMicros: 2000 },
    ]);
    // The server's breakdown: one request a run unbatched, batches of several with batching on.
    expect(result.trials[0]?.steps[0]?.server?.batchSize ?? 0).toBeLessThanOrEqual(1);
    expect(result.trials[1]?.steps[0]?.server?.batchSize).toBeGreaterThan(1);
    expect(result.trials.every((t) => t.steps[0] && Object.keys(t.steps[0].errors).length === 0)).toBe(true);
    expect(r.out).toMatch(/or at run time \(not kept over a restart\): PUT \/admin\/models\/property-valuation\/batching/);

    expect(await current()).toMatchObject({ enabled: false, maxBatchSize: 5, maxQueueDelayMicros: 700 });
    const audit = (await (await admin('/admin/audit?action=model.batching&limit=100')).json()) as { records: { actor: string; after: Setting }[] };
    expect(audit.records.filter((a) => a.actor === 'sweeper').map((a) => a.after)).toEqual([
      ...result.trials.map((t) => t.batching),
      { enabled: false, maxBatchSize: 5, maxQueueDelayMicros: 700 },
    ]);
  }, 120_000);

  it('Ctrl-C during the sweep restores the original setting; without a deployer token nothing is changed', async () => {
    const child = spawn(process.execPath, [
      'dist/src/cli/main.js', 'perf', '--url', server.url, '--token', deployer, '--model', MODEL, '--sweep-batching', '--p99-budget', '2000ms',
      '--batch-sizes', '8', '--queue-delays', '3000', '--concurrency', '4', '--duration', '30s', '--warmup', '0s',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    // Interrupted while the sweep's setting is in place and its load runs.
    for (let i = 0; i < 200 && !(await current()).enabled; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await current()).toMatchObject({ enabled: true, maxBatchSize: 8, maxQueueDelayMicros: 3000 });
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, err).toBe(130);
    expect(await current()).toMatchObject({ enabled: false, maxBatchSize: 5, maxQueueDelayMicros: 700 });

    const viewer = ((await (await admin('/admin/tokens', { method: 'POST', body: JSON.stringify({ principal: 'vic', role: 'viewer' }) })).json()) as { token: string }).token;
    const refused = await perf('--url', server.url, '--token', viewer, '--model', MODEL, '--sweep-batching', '--p99-budget', '20ms', '--batch-sizes', '1,8', ...SHORT, '--quiet');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/403 .*needs a deployer token \(--token\)/);
    expect(await current()).toMatchObject({ enabled: false, maxBatchSize: 5, maxQueueDelayMicros: 700 });
  }, 120_000);
});
