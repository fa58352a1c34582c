// `npm run bench`: baselines and gateway scenarios in one run, each server and each load in its own process.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHeavyModel } from '../src/training/heavy.js';
import type { LoadSpec } from './load.js';
import { freePort, runLoad, startServer, stopServer, waitReady, type Server } from './processes.js';
import { ratio, scenarioTable, targetTable, type ScenarioResult, type TargetCheck } from './report.js';
import { HEAVY_BODY, PREDICT_BODY } from './workload.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const LOAD = join(here, 'load.js');
const BASELINES = join(here, 'baselines.js');
/** The gateway build to measure; BENCH_GATEWAY points at another build (A/B of a change). */
const GATEWAY = process.env.BENCH_GATEWAY ?? join(root, 'dist', 'src', 'cli', 'main.js');

const args = process.argv.slice(2);
const profile = args.includes('--profile');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const durationSec = Number(process.env.BENCH_DURATION ?? 6);
const warmupSec = Number(process.env.BENCH_WARMUP ?? 1);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = join(root, 'bench', 'results');
const scratch = mkdtempSync(join(tmpdir(), 'modelgate-bench-'));

interface Load {
  id: string;
  label: string;
  path: string;
  body?: string;
  connections: number;
  baseline?: string;
  users?: number;
  tally?: string;
}

interface Target {
  id: string;
  /** Arguments to node, given the port. */
  argv: (port: number) => string[];
  env?: (port: number) => NodeJS.ProcessEnv;
  ready: string;
  /** A check before the load; a string means "pending: why". */
  probe?: (base: string) => Promise<string | undefined>;
  loads: Load[];
}

const PV = '/v1/models/property-valuation/predict';
const HEAVY = '/v2/models/mlp-heavy/infer';
const gateway = (config: string, extraEnv: NodeJS.ProcessEnv = {}): Pick<Target, 'argv' | 'env' | 'ready'> => ({
  argv: () => [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${join(resultsDir, `profiles-${stamp}`, config)}`] : []), GATEWAY, 'serve'],
  env: (port) => ({
    MODELGATE_CONFIG: join(root, 'bench', 'configs', `${config}.json`),
    PORT: String(port),
    HOST: '127.0.0.1',
    // A registry of its own per server: the bench never touches data/.
    MODELGATE_REGISTRY_DB: join(scratch, `${config}-${port}`, 'registry.db'),
    ...extraEnv,
  }),
  ready: '/v2/health/ready',
});
const baseline = (kind: string, ...extra: string[]): Pick<Target, 'argv' | 'ready'> => ({
  argv: (port) => [BASELINES, kind, String(port), ...extra],
  ready: '/',
});

const TARGETS: Target[] = [
  { id: 'bare', ...baseline('bare'), loads: [{ id: 'bare', label: 'Hono bare JSON (GET)', path: '/', connections: 64 }] },
  { id: 'parse', ...baseline('parse'), loads: [{ id: 'parse', label: 'Hono parse-and-respond', path: '/predict', body: PREDICT_BODY, connections: 64 }] },
  {
    id: 'ort',
    ...baseline('ort', join(root, 'models', 'property-valuation', '1.0.0', 'model.onnx')),
    loads: [
      { id: 'ort', label: 'Hono + ORT minimal predict', path: '/predict', body: PREDICT_BODY, connections: 64 },
      { id: 'ort-c1', label: 'Hono + ORT minimal predict', path: '/predict', body: PREDICT_BODY, connections: 1 },
    ],
  },
  {
    id: 'gateway-uncached',
    ...gateway('uncached'),
    loads: [
      { id: 'uncached', label: 'gateway uncached predict', path: PV, body: PREDICT_BODY, connections: 64, baseline: 'ort' },
      { id: 'uncached-c1', label: 'gateway uncached predict', path: PV, body: PREDICT_BODY, connections: 1, baseline: 'ort-c1' },
    ],
  },
  {
    // The prediction trace's cost: the same uncached gateway with the trace off, as the baseline.
    id: 'gateway-uncached-no-trace',
    ...gateway('uncached', { MODELGATE_TRACE: 'off' }),
    loads: [{ id: 'uncached-no-trace', label: 'gateway uncached predict, trace off', path: PV, body: PREDICT_BODY, connections: 64 }],
  },
  {
    id: 'gateway-cached',
    ...gateway('cached'),
    loads: [{ id: 'cached', label: 'gateway cached predict (warm)', path: PV, body: PREDICT_BODY, connections: 64, baseline: 'parse', tally: 'x-cache' }],
  },
  {
    id: 'gateway-canary',
    ...gateway('canary'),
    probe: probeCanary,
    loads: [
      { id: 'canary', label: 'gateway 90/10 canary (flags)', path: PV, body: PREDICT_BODY, connections: 64, baseline: 'uncached', users: 10_000, tally: 'x-model-version' },
    ],
  },
  {
    id: 'gateway-heavy',
    ...gateway('uncached'),
    loads: [{ id: 'heavy', label: 'gateway mlp-heavy per request (worker)', path: HEAVY, body: HEAVY_BODY, connections: 64 }],
  },
  {
    id: 'gateway-heavy-batched',
    ...gateway('heavy-batched'),
    loads: [{ id: 'heavy-batched', label: 'gateway mlp-heavy batched (worker)', path: HEAVY, body: HEAVY_BODY, connections: 64, baseline: 'heavy' }],
  },
];

/** Is flag routing wired? 200 distinct users must be routed by flag to both versions. */
async function probeCanary(base: string): Promise<string | undefined> {
  const seen = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${base}${PV}`, { method: 'POST', body: PREDICT_BODY, headers: { 'content-type': 'application/json', 'x-user-id': `probe-${i}` } });
    await res.body?.cancel();
    const route = res.headers.get('x-model-route') ?? '';
    if (res.status !== 200 || !route.startsWith('flag:')) return `flag routing not wired (status ${res.status}, route '${route}')`;
    const v = res.headers.get('x-model-version') ?? '?';
    seen.set(v, (seen.get(v) ?? 0) + 1);
  }
  return seen.size < 2 ? `flags routed every probe user to ${[...seen.keys()].join(', ')}` : undefined;
}

async function runTarget(t: Target, results: ScenarioResult[]): Promise<void> {
  const loads = t.loads.filter((l) => !only || only.includes(l.id));
  if (loads.length === 0) return;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server: Server = startServer(t.id, t.argv(port), t.env?.(port) ?? {}, root);
  try {
    await waitReady(server, `${base}${t.ready}`);
    const pending = await t.probe?.(base);
    for (const l of loads) {
      const entry: ScenarioResult = { id: l.id, label: l.label, connections: l.connections, baseline: l.baseline };
      results.push(entry);
      if (pending) {
        entry.pending = pending;
        continue;
      }
      const spec: LoadSpec = {
        url: `${base}${l.path}`,
        method: l.body ? 'POST' : 'GET',
        body: l.body,
        connections: l.connections,
        warmupSec,
        durationSec,
        users: l.users,
        tally: l.tally,
      };
      process.stderr.write(`  ${l.id}: ${l.label}, ${l.connections} connection(s), ${warmupSec}+${durationSec} s ... `);
      entry.result = await runLoad(LOAD, spec, root, server.child.pid);
      process.stderr.write(`${entry.result.rps.toFixed(0)} req/s, p99 ${entry.result.p99} ms, ${entry.result.cpuUsPerReq?.toFixed(0) ?? '?'} us CPU/req\n`);
    }
  } finally {
    await stopServer(server);
  }
}

function checks(results: ScenarioResult[]): TargetCheck[] {
  const get = (id: string) => results.find((r) => r.id === id);
  const check = (name: string, measured: number | undefined, goal: string, ok: (x: number) => boolean, ids: string[]): TargetCheck => {
    const missing = ids.find((id) => !get(id)?.result);
    return { name, measured, goal, pass: measured === undefined ? undefined : ok(measured), ...(missing ? { note: `${missing} did not run` } : {}) };
  };
  return [
    check('uncached req/s vs minimal Hono+ORT (64 conns)', ratio(results, 'uncached', 'ort'), '>= 0.85x', (x) => x >= 0.85, ['uncached', 'ort']),
    check('cache hit req/s vs Hono parse-and-respond (64 conns)', ratio(results, 'cached', 'parse'), '>= 0.90x', (x) => x >= 0.9, ['cached', 'parse']),
    check('heavy batched vs per request req/s (64 conns)', ratio(results, 'heavy-batched', 'heavy'), '>= 1.5x', (x) => x >= 1.5, ['heavy-batched', 'heavy']),
    check('uncached p99 vs minimal Hono+ORT p99 (64 conns)', ratio(results, 'uncached', 'ort', 'p99'), '<= 1.5x', (x) => x <= 1.5, ['uncached', 'ort']),
    check('prediction trace on vs off, uncached req/s (64 conns)', ratio(results, 'uncached', 'uncached-no-trace'), '>= 0.95x', (x) => x >= 0.95, ['uncached', 'uncached-no-trace']),
  ];
}

async function main(): Promise<void> {
  if (!existsSync(GATEWAY)) throw new Error(`${GATEWAY} is missing: run npm run build first`);
  const heavyDir = join(root, 'models', 'mlp-heavy', '1.0.0');
  if (!existsSync(join(heavyDir, 'model.onnx'))) {
    process.stderr.write('models/mlp-heavy is missing: generating it (npm run models makes it too) ...\n');
    await buildHeavyModel(join(root, 'models'));
  }
  const started = Date.now();
  process.stderr.write(`modelgate bench: ${cpus().length} CPU(s), node ${process.version}, ${warmupSec} s warm-up + ${durationSec} s per scenario\n`);
  const results: ScenarioResult[] = [];
  for (const t of TARGETS) await runTarget(t, results);
  const targets = checks(results);
  const report = `${scenarioTable(results)}\n\n${targetTable(targets)}\n`;
  process.stdout.write(`\n${report}`);
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${stamp}.json`);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, platform: process.platform };
  writeFileSync(file, `${JSON.stringify({ startedAt: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000, machine, durationSec, warmupSec, profile, scenarios: results, targets }, null, 2)}\n`);
  rmSync(scratch, { recursive: true, force: true });
  process.stderr.write(`\nwrote ${file} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
