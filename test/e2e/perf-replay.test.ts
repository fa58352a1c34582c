import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PerfReport } from '../../src/perf/run-perf.js';
import { tempDir } from '../support/fixtures.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { perf } from '../support/perf-cli.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const MODEL = 'property-valuation';
const SHORT = ['--concurrency', '1', '--cache', 'off', '--duration', '1s', '--warmup', '1s', '--windows', '1', '--max-windows', '2', '--quiet'];

interface Traced {
  requestId: string;
  version: string;
  inputDigest: string;
  output: unknown;
}

/**
 * `modelgate perf --replay-trace N` against a real gateway process whose trace captures inputs:
 * the replayed requests are the recorded ones (same input digests), answered by the same version
 * with the same outputs; a gateway that does not capture inputs is refused with the reason.
 */
describe('modelgate perf --replay-trace', () => {
  let server: ServerProcess;
  let plain: ServerProcess;
  const dir = tempDir('modelgate-perf-replay-');
  const models = join(dir, 'models');

  beforeAll(async () => {
    cpSync(join('models', MODEL), join(models, MODEL), { recursive: true });
    const env = { MODELGATE_MODELS_DIR: models, MODELGATE_FLAGS_FILE: join(process.cwd(), 'bench/flags-off.json'), MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN };
    [server, plain] = await Promise.all([startServerProcess({ ...env, MODELGATE_TRACE_CAPTURE_INPUTS: 'on' }), startServerProcess(env)]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([server?.stop(), plain?.stop()]);
  });

  const traced = async (limit: number): Promise<Traced[]> => {
    const res = await fetch(`${server.url}/admin/predictions?model=${MODEL}&limit=${limit}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { predictions: Traced[] }).predictions;
  };

  it('replays the last N captured inputs: the same inputs reach the same version and give the same outputs', async () => {
    const original: string[] = [];
    for (let i = 0; i < 5; i++) {
      const body = i % 2 === 0
        ? { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: [1400 + i * 100, 3, 2, 1990 + i, 5000, 1, 3, 1] }] }
        : null;
      const res = body
        ? await fetch(`${server.url}/v2/models/${MODEL}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        : await fetch(`${server.url}/v1/models/${MODEL}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ instances: [{ sqft: 1000 + i * 50, bedrooms: 2, bathrooms: 1, year_built: 1980, lot_size: 3000, location_cluster: 1, condition: 4, garage_spaces: 0 }] }),
          });
      expect(res.status).toBe(200);
      original.push(res.headers.get('x-request-id') as string);
    }
    const before = await traced(5);
    expect(before.map((t) => t.requestId).sort()).toEqual([...original].sort());
    const byDigest = new Map(before.map((t) => [t.inputDigest, t]));

    for (const protocol of ['oip-json', 'v1']) {
      const r = await perf('--url', server.url, '--token', ADMIN_TOKEN, '--model', MODEL, '--protocol', protocol, '--replay-trace', '5', ...SHORT, '--json', '-');
      expect(r.code, r.err).toBe(0);
      const step = (JSON.parse(r.out) as PerfReport).steps[0];
      expect(step?.errors).toEqual({});
      expect(step?.ok).toBeGreaterThan(5);
    }

    const replayed = (await traced(10_000)).filter((t) => !original.includes(t.requestId));
    expect(replayed.length).toBeGreaterThan(10);
    for (const t of replayed) {
      const first = byDigest.get(t.inputDigest);
      expect(first, `a replayed input (${t.inputDigest}) that was never recorded`).toBeDefined();
      expect(t.version).toBe(first?.version);
      expect(t.output).toEqual(first?.output);
    }
    // Every recorded input was replayed (the run cycles through all five).
    expect(new Set(replayed.map((t) => t.inputDigest)).size).toBe(5);
  }, 90_000);

  it('a gateway that does not capture inputs, and a missing token, are refused with the reason', async () => {
    const off = await perf('--url', plain.url, '--token', ADMIN_TOKEN, '--model', MODEL, '--replay-trace', '5', ...SHORT);
    expect(off.code).toBe(1);
    expect(off.err).toMatch(/--replay-trace: .* 409 .*keeps each input's digest, not the input: turn on registry.trace.captureInputs.enabled/);
    const anonymous = await perf('--url', server.url, '--model', MODEL, '--replay-trace', '5', ...SHORT);
    expect(anonymous.code).toBe(1);
    expect(anonymous.err).toMatch(/401 .*needs a viewer token: --token/);
  }, 60_000);
});
