import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepResult } from './measure-step.js';
import { batchingApi } from './remote-batching.js';
import { runPerf, type PerfRun } from './run-perf.js';

export interface SweepOptions {
  p99BudgetMs: number;
  modelsDir: string;
  /** 1 = batching off. */
  batchSizes: number[];
  queueDelays: number[];
  /** A gateway config to start from (models.<name>.batching is replaced). */
  baseConfig?: string;
  /**
   * Sweep the gateway at --url through its admin batching API (a deployer token) instead of
   * spawning local gateways; its setting is restored at the end, also after Ctrl-C or a failure.
   */
  remote?: boolean;
}

export interface BatchingSetting {
  enabled: boolean;
  maxBatchSize: number;
  maxQueueDelayMicros: number;
}

export interface SweepTrial {
  batching: BatchingSetting;
  /** The step with the most throughput whose p99 is within budget (none: every step over it). */
  best: { label: string; throughput: number; p99: number } | null;
  steps: StepResult[];
}

export interface SweepResult {
  model: string;
  p99BudgetMs: number;
  trials: SweepTrial[];
  recommended: SweepTrial | null;
  /** Batching beat the best unbatched throughput by at least MARGIN. */
  batchingHelps: boolean;
  /** Ctrl-C: some settings were not (fully) measured. */
  interrupted: boolean;
}

/** How much more throughput batching must bring to be recommended over no batching: more than the host's noise. */
const MARGIN = 1.15;
const MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/**
 * Model analyzer's sweep, for a local model: one gateway per batching setting (its own process,
 * a temp config, the cache off), the same steps measured on each, and the setting with the most
 * throughput within the p99 budget recommended, with the config to paste.
 */
export async function sweepBatching(run: Omit<PerfRun, 'signal' | 'progress'>, o: SweepOptions, signal: AbortSignal, progress?: (line: string) => void): Promise<{ text: string; result: SweepResult }> {
  const settings: BatchingSetting[] = [];
  for (const size of o.batchSizes) {
    if (size === 1) settings.push({ enabled: false, maxBatchSize: 1, maxQueueDelayMicros: 0 });
    else for (const delay of o.queueDelays) settings.push({ enabled: true, maxBatchSize: size, maxQueueDelayMicros: delay });
  }
  const model = run.target.model;
  const trials: SweepTrial[] = [];
  const api = o.remote ? batchingApi(run.target) : undefined;
  // Remote: the cache must not answer for the model, whatever the gateway's own setting.
  const target = api ? { ...run.target, headers: { ...run.target.headers, 'cache-control': 'no-cache' } } : run.target;
  const original = await api?.get();
  try {
    for (const batching of settings) {
      if (signal.aborted) break;
      progress?.(`sweep: ${describe(batching)}: ${api ? 'PUT /admin/models/{m}/batching' : 'starting a gateway'}`);
      const gateway = api ? await api.set(batching).then(() => ({ url: target.url, stop: async () => undefined })) : await startGateway(model, batching, o);
      try {
        const report = await runPerf({ ...run, target: { ...target, url: gateway.url }, signal, ...(progress ? { progress: (l) => progress(`sweep ${describe(batching)}: ${l}`) } : {}) });
        const within = report.steps.filter((s) => s.ok > 0 && s.latency.p99 <= o.p99BudgetMs && Object.keys(s.errors).length === 0);
        const top = within.sort((a, b) => b.throughput - a.throughput)[0];
        trials.push({ batching, best: top ? { label: top.label, throughput: top.throughput, p99: top.latency.p99 } : null, steps: report.steps });
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    if (api && original) {
      progress?.(`sweep: restoring ${describe(original)}`);
      await api.set(original);
    }
  }
  const rps = (t: SweepTrial) => t.best?.throughput ?? 0;
  const unbatched = Math.max(0, ...trials.filter((t) => !t.batching.enabled).map(rps));
  const batched = trials.filter((t) => t.batching.enabled && t.best).sort((a, b) => rps(b) - rps(a))[0];
  const batchingHelps = batched !== undefined && rps(batched) > unbatched * MARGIN;
  const recommended = batchingHelps ? (batched ?? null) : (trials.filter((t) => !t.batching.enabled && t.best)[0] ?? null);
  const result: SweepResult = { model, p99BudgetMs: o.p99BudgetMs, trials, recommended, batchingHelps, interrupted: signal.aborted };
  return { text: renderSweep(result), result };
}

function describe(b: BatchingSetting): string {
  return b.enabled ? `batch ${b.maxBatchSize}, delay ${b.maxQueueDelayMicros} µs` : 'no batching';
}

export function renderSweep(r: SweepResult): string {
  const rows = [['batching', 'best step within budget', 'req/s', 'p99 ms']];
  for (const t of r.trials) rows.push([describe(t.batching), t.best?.label ?? `none (p99 > ${r.p99BudgetMs} ms)`, t.best ? t.best.throughput.toFixed(0) : '-', t.best ? t.best.p99.toFixed(2) : '-']);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
  const table = rows.map((row) => row.map((cell, c) => (c >= 2 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0))).join('  ').trimEnd()).join('\n');
  if (!r.recommended) return `${table}\n\nno setting kept p99 within ${r.p99BudgetMs} ms without errors: lower the load or raise --p99-budget\n`;
  const b = r.recommended.batching;
  const partial = r.interrupted ? 'interrupted (Ctrl-C): from the settings measured so far, ' : '';
  const why = r.batchingHelps
    ? `batching helps ${r.model}: ${describe(b)} serves ${r.recommended.best?.throughput.toFixed(0)} req/s within p99 ${r.p99BudgetMs} ms`
    : `batching does not help ${r.model} (no batched setting beat no batching by ${Math.round((MARGIN - 1) * 100)} %): keep it off`;
  const snippet = JSON.stringify({ models: { [r.model]: { batching: b.enabled ? b : { enabled: false } } } }, null, 2);
  const put = `PUT /admin/models/${r.model}/batching ${JSON.stringify(b)}`;
  return `${table}\n\n${partial}${why}\nconfig/gateway.json:\n${snippet}\nor at run time (not kept over a restart): ${put}\n`;
}

interface LocalGateway {
  url: string;
  stop: () => Promise<void>;
}

async function startGateway(model: string, batching: BatchingSetting, o: SweepOptions): Promise<LocalGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'modelgate-sweep-'));
  const base = o.baseConfig ? (JSON.parse(readFileSync(o.baseConfig, 'utf8')) as Record<string, unknown>) : {};
  const models = (base.models as Record<string, Record<string, unknown>> | undefined) ?? {};
  const flags = join(dir, 'flags.json');
  writeFileSync(flags, JSON.stringify({ version: 2, features: [] }));
  const config = {
    logLevel: 'warn',
    ...base,
    host: '127.0.0.1',
    modelsDir: resolve(o.modelsDir),
    ...(base.flags ? {} : { flags: { source: 'file', file: flags } }),
    models: { ...models, [model]: { ...(models[model] ?? {}), cache: { enabled: false }, batching } },
  };
  writeFileSync(join(dir, 'gateway.json'), JSON.stringify(config));
  const port = await freePort();
  // As `npm start` runs it (README, "Serving large tensors").
  const child = spawn(process.execPath, ['--no-memory-reducer', MAIN, 'serve'], {
    env: { ...process.env, MODELGATE_CONFIG: join(dir, 'gateway.json'), PORT: String(port), HOST: '127.0.0.1', MODELGATE_REGISTRY_DB: join(dir, 'registry.db'), MODELGATE_DRAIN_DELAY_MS: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the gateway for the sweep exited (${child.exitCode}): ${err}`);
    }
    const ready = await fetch(`${url}/v2/models/${encodeURIComponent(model)}/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ready) return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the gateway for the sweep did not load ${model} in 120 s: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolvePort(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}
