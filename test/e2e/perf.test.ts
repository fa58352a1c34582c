import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepResult } from '../../src/perf/measure-step.js';
import type { PerfReport } from '../../src/perf/run-perf.js';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';
import { tempDir } from '../support/fixtures.js';
import { perf } from '../support/perf-cli.js';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { requireService } from '../support/services.js';

const MODEL = 'property-valuation';


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const SHORT = ['--duration', '1s', '--warmup', '1s', '--windows', '2', '--max-windows', '4'];

/**
 * `modelgate perf` against a real gateway process (demo models, the benchmark's 90/10 canary
 * flags): its figures against a direct autocannon run, the version split, the breakdown, the
 * HTML report in Chromium, and the protocols this gateway does not offer.
 */
describe('modelgate perf against a gateway process', () => {
  let server: ServerProcess;
  let grpcPort: number;
  const dir = tempDir('modelgate-perf-e2e-');

  beforeAll(async () => {
    const models = join(dir, 'models');
    cpSync(join('models', MODEL), join(models, MODEL), { recursive: true });
    grpcPort = await freePort();
    server = await startServerProcess({
      MODELGATE_MODELS_DIR: models,
      MODELGATE_FLAGS_FILE: join(process.cwd(), 'bench/flags-canary.json'),
      // Read by a gateway that has a gRPC listener (merged later); ignored by one that has none.
      MODELGATE_GRPC_PORT: String(grpcPort),
    });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('one step agrees with a direct autocannon run of the same load within 20 % (median of 5 back-to-back pairs)', async () => {
    const ours: number[] = [];
    const direct: number[] = [];
    const body = JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: [1800, 3, 2, 1995, 6000, 1, 4, 2] }] });
    const opts = { url: `${server.url}/v2/models/${MODEL}/infer`, method: 'POST', body, headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' }, connections: 8 };
    const runOurs = async () => {
      const r = await perf('--url', server.url, '--model', MODEL, '--concurrency', '8', '--cache', 'off', ...SHORT, '--quiet', '--json', '-');
      expect(r.code, r.err).toBe(0);
      const step = (JSON.parse(r.out) as PerfReport).steps[0] as StepResult;
      expect(step.errors).toEqual({});
      ours.push(step.throughput);
    };
    const runDirect = async () => {
      await autocannon({ ...opts, duration: 1 });
      const res = await autocannon({ ...opts, duration: 3 });
      expect(res.non2xx).toBe(0);
      direct.push(res.requests.total / res.duration);
    };
    // A fresh gateway is slower for its first seconds (JIT, the runner's warm-up): load it first.
    await autocannon({ ...opts, duration: 2 });
    // Pairs back to back, the order alternating, so the host's drift falls on both sides; the
    // median of the pairs' ratios (this 2-core host is shared: one pair can be off by 30 %).
    for (let i = 0; i < 5; i++) {
      if (i % 2 === 0) await runOurs().then(runDirect);
      else await runDirect().then(runOurs);
    }
    const ratio = median(ours.map((x, i) => x / (direct[i] as number)));
    console.log(`perf ${ours.map((x) => x.toFixed(0)).join(', ')} req/s vs autocannon ${direct.map((x) => x.toFixed(0)).join(', ')}: median ratio ${ratio.toFixed(3)}`);
    // 0.8-1.25: a counting or timing error shows as 2x; this host alone moves the median of 5
    // pairs by ~0.15 (seen 0.85, 1.0 and 1.1 for the same build on the same day).
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
  }, 180_000);

  it("runs the README's first example (its gateway's URL, short windows): four steps with p99 and the server breakdown", async () => {
    const line = readFileSync('README.md', 'utf8').split('\n').find((l) => l.startsWith('modelgate perf --url')) ?? '';
    const args = line.split(/\s+/).slice(2).map((a) => (a === 'http://127.0.0.1:8080' ? server.url : a));
    const r = await perf(...args, ...SHORT, '--quiet');
    expect(r.code, r.err).toBe(0);
    const rows = r.out.split('\n').filter((l) => /^concurrency \d+ /.test(l));
    expect(rows.map((l) => l.split(/\s+/)[1])).toEqual(['1', '4', '16', '64']);
    // Every row: p99, no errors, the version, the cache hit rate (the same input: hits after the first)
    // and the time in the gateway from /metrics; the table says whether its windows were stable.
    for (const row of rows) expect(row).toMatch(/^concurrency \d+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+0\s+1\.0\.0 .*\s\d+\.\d%\s+[\d.]+\s+\S+\s+\S+\s+\S+\s+0\s+\d\/\d+ (stable|UNSTABLE)$/);
  }, 120_000);

  let report: PerfReport;
  const html = join(dir, 'report.html');

  it('with --users 1000 under the 90/10 canary, 1.1.0 answers 10 % within 3 points; onnxruntime time lies within the request latency', async () => {
    const csv = join(dir, 'steps.csv');
    const r = await perf('--url', server.url, '--model', MODEL, '--concurrency', '1:16:x4', '--users', '1000', '--cache', 'off', ...SHORT, '--json', join(dir, 'r.json'), '--csv', csv, '--html', html);
    expect(r.code, r.err).toBe(0);
    // The table, on stdout.
    expect(r.out).toMatch(/step\s+req\/s\s+p50 ms\s+p90\s+p95\s+p99/);
    expect(r.out).toMatch(/concurrency 16 .*1\.0\.0 \d+\.\d%, 1\.1\.0 \d+\.\d%/);
    report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as PerfReport;
    expect(report.steps.map((s) => s.label)).toEqual(['concurrency 1', 'concurrency 4', 'concurrency 16']);
    expect(report.steps.filter((s) => s.ok >= 2000).length).toBeGreaterThan(0);
    for (const step of report.steps) {
      expect(step.errors).toEqual({});
      // 1000 users cycled in order: a step that saw at least 2000 answers saw every user twice.
      if (step.ok >= 2000) expect(Math.abs((step.versionShares['1.1.0'] ?? 0) - 0.1)).toBeLessThanOrEqual(0.03);
      const server = step.server;
      expect(server).not.toBeNull();
      expect(server?.runs).toBeGreaterThan(0);
      expect(server?.inferenceMs).toBeGreaterThan(0);
      expect(server?.inferenceMs).toBeLessThan(server?.serverMs ?? 0);
      expect(server?.inferenceMs).toBeLessThan(step.latency.mean);
      expect(server?.queueMs).toBeNull(); // no batching
      expect(step.latency.p50).toBeLessThanOrEqual(step.latency.p99);
    }
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^step,concurrency,rate,throughput,p50_ms,p90_ms,p95_ms,p99_ms/);
    expect(lines).toHaveLength(4);
  }, 120_000);

  it('the cache hit rate: repeated inputs hit, --unique-inputs 1 never does', async () => {
    const run = async (...extra: string[]) => {
      const r = await perf('--url', server.url, '--model', MODEL, '--concurrency', '4', ...SHORT, '--quiet', '--json', '-', ...extra);
      expect(r.code, r.err).toBe(0);
      return (JSON.parse(r.out) as PerfReport).steps[0] as StepResult;
    };
    expect((await run()).cacheHitRate).toBeGreaterThan(0.95);
    expect((await run('--unique-inputs', '1')).cacheHitRate).toBe(0);
  }, 60_000);

  it.skipIf(!requireService('chromium', chromiumAvailable()))('the --html report renders its charts in Chromium without console errors (the README screenshot)', async () => {
    expect(existsSync(html)).toBe(true);
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // self-contained
    const browser = await launchChromium({ width: 1240, height: 760 });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${html}`);
      await page.waitForSelector('#curve canvas');
      // Pixels drawn on both charts (not blank canvases).
      const drawn = await page.evaluate(`[...document.querySelectorAll('canvas')].map((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })`);
      expect(drawn).toHaveLength(2);
      for (const n of drawn as number[]) expect(n).toBeGreaterThan(500);
      expect(await page.locator('.u-legend').count()).toBe(2);
      expect(errors).toEqual([]);
      const shot = process.env.UPDATE_SCREENSHOT === '1' ? 'docs/perf-report.png' : join(dir, 'perf-report.png');
      await page.screenshot({ path: shot });
      expect(readFileSync(shot).length).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('--protocol v1 with named features from the metadata, a samples file, and --rate', async () => {
    const v1 = await perf('--url', server.url, '--model', MODEL, '--protocol', 'v1', '--concurrency', '2', ...SHORT, '--quiet', '--json', '-');
    expect(v1.code, v1.err).toBe(0);
    expect((JSON.parse(v1.out) as PerfReport).steps[0]?.errors).toEqual({});
    const samples = join(dir, 'samples.json');
    const houses = [1200, 2400].map((sqft) => ({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: [[sqft, 3, 2, 1995, 6000, 1, 4, 2]] }] }));
    writeFileSync(samples, JSON.stringify(houses));
    const file = await perf('--url', server.url, '--model', MODEL, '--input-data', samples, '--concurrency', '2', ...SHORT, '--quiet', '--json', '-');
    expect(file.code, file.err).toBe(0);
    const fromFile = (JSON.parse(file.out) as PerfReport).steps[0] as StepResult;
    expect(fromFile.errors).toEqual({});
    expect(fromFile.cacheHitRate).toBeGreaterThan(0.95); // two inputs, repeated
    // A rate this gateway serves easily is the rate measured (autocannon's overallRate).
    const rate = await perf('--url', server.url, '--model', MODEL, '--rate', '200', '--connections', '4', ...SHORT, '--quiet', '--json', '-');
    expect(rate.code, rate.err).toBe(0);
    const step = (JSON.parse(rate.out) as PerfReport).steps[0] as StepResult;
    expect(step.label).toBe('rate 200/s');
    expect(step.throughput).toBeGreaterThan(150);
    expect(step.throughput).toBeLessThan(250); // autocannon's pacing runs a few % over
  }, 60_000);

  it('oip-binary: measured when the gateway offers the binary tensor extension, named as missing when not', async () => {
    const r = await perf('--url', server.url, '--model', MODEL, '--protocol', 'oip-binary', '--concurrency', '2', '--cache', 'off', ...SHORT, '--quiet', '--json', '-');
    if (await offersBinary(server.url)) {
      expect(r.code, r.err).toBe(0);
      expect((JSON.parse(r.out) as PerfReport).steps[0]?.errors).toEqual({});
    } else {
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/the first oip-binary request was refused: 4\d\d .*may not offer the binary tensor extension/);
    }
  }, 60_000);

  it('grpc: measured when the gateway has a gRPC listener, named as missing when not', async () => {
    const r = await perf('--url', server.url, '--model', MODEL, '--protocol', 'grpc', '--grpc-address', `127.0.0.1:${grpcPort}`, '--concurrency', '2', '--users', '1000', ...SHORT, '--quiet', '--json', '-');
    if (await listening(grpcPort)) {
      expect(r.code, r.err).toBe(0);
      const step = (JSON.parse(r.out) as PerfReport).steps[0] as StepResult;
      expect(step.errors).toEqual({});
      expect(Object.keys(step.versionShares).sort()).toEqual(['1.0.0', '1.1.0']);
    } else {
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`no gRPC service answers at 127\\.0\\.0\\.1:${grpcPort}.*does not offer gRPC`));
    }
  }, 60_000);

  it('Ctrl-C ends the run with what was measured so far (exit 130)', async () => {
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'perf', '--url', server.url, '--model', MODEL, '--concurrency', '2:8:x4', '--duration', '1s', '--warmup', '0s', '--windows', '1', '--max-windows', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      // The first step is done: interrupt the second one.
      if (err.includes('step 1/2 (concurrency 2):') && child.exitCode === null) setTimeout(() => child.kill('SIGINT'), 300);
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, err).toBe(130);
    expect(out).toMatch(/^concurrency 2 +\d+/m);
    expect(out).toMatch(/interrupted: the figures are those measured before Ctrl-C/);
  }, 60_000);

  it('a model the gateway lacks and a gateway that is not there are refused clearly', async () => {
    const missing = await perf('--url', server.url, '--model', 'nope', '--quiet');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/GET .*\/v2\/models\/nope: 404/);
    const down = await perf('--url', `http://127.0.0.1:${await freePort()}`, '--model', MODEL, '--quiet');
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/no gateway answers at .* \(ECONNREFUSED\)/);
  }, 30_000);
});

async function offersBinary(url: string): Promise<boolean> {
  const head = Buffer.from(JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], parameters: { binary_data_size: 32 } }] }));
  const data = Buffer.from(new Float32Array([1800, 3, 2, 1995, 6000, 1, 4, 2]).buffer);
  const res = await fetch(`${url}/v2/models/${MODEL}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(head.length) },
    body: Buffer.concat([head, data]),
  });
  await res.arrayBuffer();
  return res.ok;
}

async function listening(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
