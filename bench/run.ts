// `npm run bench`: baselines and gateway scenarios in one run, each server and each load in its own
// process; every ratio is taken between two loads run back to back, repeated, and reported as the
// median with its spread.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHeavyModel } from '../tools/training/heavy.js';
import { encodeImageClassifier } from '../tools/training/image-classifier.js';
import { IMAGE_MODEL, writeImageBodies } from './image-workload.js';
import type { GrpcLoadSpec } from './grpc-load.js';
import { grpcRows } from './grpc-rows.js';
import { heavySweepRows } from './heavy-sweep-rows.js';
import type { GrpcWorkload } from './grpc-workload.js';
import type { LoadResult, LoadSpec } from './load.js';
import { freePort, runLoad, startServer, stopServer, waitReady, type Server } from './processes.js';
import { pairTable, scenarioTable, targetTable, type Pair, type Scenario } from './report.js';
import { HEAVY_BODY, INFER_BODY, PREDICT_BODY } from './workload.js';
import { startOtlpSink } from './otlp-sink.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const LOAD = join(here, 'load.js');
const GRPC_LOAD = join(here, 'grpc-load.js');
const BASELINES = join(here, 'baselines.js');
/** The gateway build to measure; BENCH_GATEWAY points at another build (A/B of a change). */
const GATEWAY = process.env.BENCH_GATEWAY ?? join(root, 'dist', 'src', 'cli', 'main.js');

const args = process.argv.slice(2);
const profile = args.includes('--profile');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const reps = Number(args.find((a) => a.startsWith('--reps='))?.slice('--reps='.length) ?? 3);
const durationSec = Number(process.env.BENCH_DURATION ?? 6);
const warmupSec = Number(process.env.BENCH_WARMUP ?? 1);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = join(root, 'bench', 'results');
const scratch = mkdtempSync(join(tmpdir(), 'modelgate-bench-'));

interface ServerDef {
  argv: (port: number, grpcPort?: number) => string[];
  env?: (port: number, grpcPort?: number) => NodeJS.ProcessEnv;
  /** Listens for gRPC too, on a port of its own (passed as grpcPort). */
  grpc?: boolean;
  ready: string;
  /** A log line that must also have appeared (a cluster: every worker listening, not just the first). */
  readyLog?: string;
  /** Where its --cpu-prof profile goes under --profile (gateways only). */
  profileDir?: string;
}

interface Load {
  id: string;
  label: string;
  server: string;
  path: string;
  body?: string;
  /** A body from a file (the image requests), with the headers it needs. */
  bodyFile?: string;
  headers?: Record<string, string>;
  connections: number;
  users?: number;
  tally?: string;
  /** A gRPC load (grpc-load.js, ModelInfer with this workload) on the server's gRPC port, instead of autocannon on `path`. */
  grpc?: GrpcWorkload;
}

/** Loads run back to back `reps` times, in this order, on servers started for the group. */
interface Group {
  id: string;
  loads: string[];
  reps: number;
  probe?: (base: (server: string) => string) => Promise<string | undefined>;
}

const PV = '/v1/models/property-valuation/predict';
const PV_OIP = '/v2/models/property-valuation/infer';
const HEAVY = '/v2/models/mlp-heavy/infer';
const PV_MODEL = join(root, 'models', 'property-valuation', '1.0.0', 'model.onnx');
// The image-shaped model (tools/training/image-classifier) in a Triton-style folder of its own.
const IMAGE_MODELS = join(scratch, 'models');
const IMAGE_MODEL_FILE = join(IMAGE_MODELS, IMAGE_MODEL, '1', 'model.onnx');
mkdirSync(dirname(IMAGE_MODEL_FILE), { recursive: true });
writeFileSync(IMAGE_MODEL_FILE, encodeImageClassifier());
const IMAGE = writeImageBodies(scratch);
const IMAGE_INFER = `/v2/models/${IMAGE_MODEL}/infer`;
const BINARY = { bodyFile: IMAGE.binaryFile, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(IMAGE.headerLength) } };

const profileDirOf = (config: string, extraEnv: NodeJS.ProcessEnv) =>
  join(resultsDir, `profiles-${stamp}`, config + (extraEnv.MODELGATE_TRACE ? '-notrace' : '') + (extraEnv.OTEL_TRACES_SAMPLER_ARG ? '-otel' : ''));
// The OpenTelemetry rows' gateway exports OTLP/HTTP here (in this process: a few exports a second).
const otlpSink = await startOtlpSink();
/** Tracing on, as a deployment turns it on: the standard variables, 10 % of root requests sampled. */
const OTEL_10 = {
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpSink.url,
  OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
  OTEL_TRACES_SAMPLER_ARG: '0.1',
  OTEL_BSP_SCHEDULE_DELAY: '1000',
};
const SERVE_NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '--no-memory-reducer').split(' ').filter(Boolean);
const gateway = (config: string, extraEnv: NodeJS.ProcessEnv = {}, serveArgs: string[] = []): ServerDef => ({
  argv: () => [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDirOf(config, extraEnv)}`] : []), ...SERVE_NODE_FLAGS, GATEWAY, 'serve', ...serveArgs],
  profileDir: profileDirOf(config, extraEnv),
  env: (port) => ({
    MODELGATE_CONFIG: join(root, 'bench', 'configs', `${config}.json`),
    PORT: String(port),
    HOST: '127.0.0.1',
    // A registry of its own per server: the bench never touches data/.
    MODELGATE_REGISTRY_DB: join(scratch, `${config}-${port}`, 'registry.db'),
    // gRPC only where a row uses it (its own port then): the default 8081 would collide.
    MODELGATE_GRPC_PORT: 'off',
    ...extraEnv,
  }),
  ready: '/v2/health/ready',
});
/** `serve --workers 2`; info logs so the primary's 'cluster ready' line is seen. */
const cluster2 = (config: string): ServerDef => ({ ...gateway(config, { LOG_LEVEL: 'info' }, ['--workers', '2']), readyLog: 'modelgate cluster ready' });
const baseline = (kind: string, ...extra: string[]): ServerDef => ({ argv: (port) => [BASELINES, kind, String(port), ...extra], ready: '/' });

const SERVERS: Record<string, ServerDef> = {
  parse: baseline('parse'),
  'parse-stamped': baseline('parse-stamped'),
  ort: baseline('ort', PV_MODEL),
  'ort-stamped': baseline('ort-stamped', PV_MODEL),
  cached: gateway('cached'),
  uncached: gateway('uncached'),
  'uncached-no-trace': gateway('uncached', { MODELGATE_TRACE: 'off' }),
  'uncached-batched': gateway('uncached-batched'),
  'uncached-otel': gateway('uncached', OTEL_10),
  canary: gateway('canary'),
  heavy: gateway('uncached'),
  'heavy-batched': gateway('heavy-batched'),
  'ort-binary': baseline('ort-binary', IMAGE_MODEL_FILE),
  image: gateway('image', { MODELGATE_MODELS_DIR: IMAGE_MODELS }),
  'image-no-trace': gateway('image', { MODELGATE_MODELS_DIR: IMAGE_MODELS, MODELGATE_TRACE: 'off' }),
  'cached-cluster': cluster2('cached'),
  'uncached-cluster': cluster2('uncached'),
};

const LOADS: Load[] = [
  { id: 'parse-v1', label: 'Hono parse-and-respond (v1 body)', server: 'parse', path: '/predict', body: PREDICT_BODY, connections: 64 },
  { id: 'parse-oip', label: 'Hono parse-and-respond (OIP body)', server: 'parse', path: '/infer', body: INFER_BODY, connections: 64 },
  { id: 'stamped-v1', label: 'Hono parse-and-respond, gateway stamps (v1)', server: 'parse-stamped', path: '/predict', body: PREDICT_BODY, connections: 64 },
  { id: 'stamped-oip', label: 'Hono parse-and-respond, gateway stamps (OIP)', server: 'parse-stamped', path: '/infer', body: INFER_BODY, connections: 64 },
  { id: 'hit-v1', label: 'gateway cache hit, v1', server: 'cached', path: PV, body: PREDICT_BODY, connections: 64, tally: 'x-cache' },
  { id: 'hit-oip', label: 'gateway cache hit, OIP', server: 'cached', path: PV_OIP, body: INFER_BODY, connections: 64, tally: 'x-cache' },
  { id: 'ort-oip', label: 'Hono + ORT minimal (OIP body)', server: 'ort', path: '/infer', body: INFER_BODY, connections: 64 },
  { id: 'ort-stamped-oip', label: 'Hono + ORT minimal, gateway stamps (OIP)', server: 'ort-stamped', path: '/infer', body: INFER_BODY, connections: 64 },
  { id: 'uncached-oip', label: 'gateway uncached OIP, trace on', server: 'uncached', path: PV_OIP, body: INFER_BODY, connections: 64 },
  { id: 'no-trace-oip', label: 'gateway uncached OIP, trace off', server: 'uncached-no-trace', path: PV_OIP, body: INFER_BODY, connections: 64 },
  { id: 'otel-off-oip', label: 'gateway uncached OIP, OpenTelemetry off', server: 'uncached', path: PV_OIP, body: INFER_BODY, connections: 64 },
  { id: 'otel-10-oip', label: 'gateway uncached OIP, OpenTelemetry on, 10 % sampled', server: 'uncached-otel', path: PV_OIP, body: INFER_BODY, connections: 64 },
  { id: 'batched-oip', label: 'gateway uncached OIP, batched per turn', server: 'uncached-batched', path: PV_OIP, body: INFER_BODY, connections: 64 },
  { id: 'ort-v1', label: 'Hono + ORT minimal (v1 body)', server: 'ort', path: '/predict', body: PREDICT_BODY, connections: 64 },
  { id: 'uncached-v1', label: 'gateway uncached v1, trace on', server: 'uncached', path: PV, body: PREDICT_BODY, connections: 64 },
  { id: 'ort-c1', label: 'Hono + ORT minimal (v1 body)', server: 'ort', path: '/predict', body: PREDICT_BODY, connections: 1 },
  { id: 'uncached-c1', label: 'gateway uncached v1', server: 'uncached', path: PV, body: PREDICT_BODY, connections: 1 },
  { id: 'canary-base', label: 'gateway uncached v1 (next to the canary)', server: 'uncached', path: PV, body: PREDICT_BODY, connections: 64 },
  { id: 'canary', label: 'gateway 90/10 canary (flags, 10k users)', server: 'canary', path: PV, body: PREDICT_BODY, connections: 64, users: 10_000, tally: 'x-model-version' },
  { id: 'heavy', label: 'gateway mlp-heavy per request (worker)', server: 'heavy', path: HEAVY, body: HEAVY_BODY, connections: 64 },
  { id: 'heavy-batched', label: 'gateway mlp-heavy batched (worker)', server: 'heavy-batched', path: HEAVY, body: HEAVY_BODY, connections: 64 },
  { id: 'ort-binary-image', label: 'Hono + ORT minimal, binary image [1,3,224,224] in/out', server: 'ort-binary', path: '/infer', ...BINARY, connections: 64 },
  { id: 'binary-image', label: 'gateway uncached binary image in/out, trace on', server: 'image', path: IMAGE_INFER, ...BINARY, connections: 64 },
  { id: 'binary-image-no-trace', label: 'gateway uncached binary image in/out, trace off', server: 'image-no-trace', path: IMAGE_INFER, ...BINARY, connections: 64 },
  // Fewer connections: at ~40 req/s, 64 connections of 2.9 MB bodies time out before any answer.
  { id: 'json-image', label: `gateway uncached OIP JSON image (${(IMAGE.jsonBytes / 1e6).toFixed(1)} MB body)`, server: 'image', path: IMAGE_INFER, bodyFile: IMAGE.jsonFile, connections: 8 },
  { id: 'hit-single', label: 'gateway cache hit v1, 1 process', server: 'cached', path: PV, body: PREDICT_BODY, connections: 64, tally: 'x-cache' },
  { id: 'hit-cluster', label: 'gateway cache hit v1, --workers 2', server: 'cached-cluster', path: PV, body: PREDICT_BODY, connections: 64, tally: 'x-cache' },
  { id: 'miss-single', label: 'gateway uncached v1, 1 process', server: 'uncached', path: PV, body: PREDICT_BODY, connections: 64 },
  { id: 'miss-cluster', label: 'gateway uncached v1, --workers 2', server: 'uncached-cluster', path: PV, body: PREDICT_BODY, connections: 64 },
];

const GROUPS: Group[] = [
  { id: 'hits', loads: ['parse-v1', 'stamped-v1', 'hit-v1', 'parse-oip', 'stamped-oip', 'hit-oip'], reps },
  { id: 'uncached', loads: ['ort-oip', 'ort-stamped-oip', 'uncached-oip', 'no-trace-oip', 'batched-oip', 'ort-v1', 'uncached-v1'], reps },
  { id: 'otel', loads: ['otel-off-oip', 'otel-10-oip'], reps, probe: probeTracing },
  { id: 'one-connection', loads: ['ort-c1', 'uncached-c1'], reps: 1 },
  { id: 'canary', loads: ['canary-base', 'canary'], reps, probe: probeCanary },
  { id: 'heavy', loads: ['heavy', 'heavy-batched'], reps },
  { id: 'image', loads: ['ort-binary-image', 'binary-image', 'binary-image-no-trace', 'json-image'], reps },
  { id: 'cluster', loads: ['hit-single', 'hit-cluster', 'miss-single', 'miss-cluster'], reps },
];

/** Each ratio: a over b, from the same repetition (so from loads run back to back). */
const PAIRS: Pair[] = [
  { name: 'cache hit v1 / Hono parse-and-respond (req/s)', a: 'hit-v1', b: 'parse-v1', metric: 'rps', goal: '>= 1.0', ok: (x) => x >= 1 },
  { name: 'cache hit OIP / Hono parse-and-respond (req/s)', a: 'hit-oip', b: 'parse-oip', metric: 'rps', goal: '>= 1.0', ok: (x) => x >= 1 },
  { name: 'uncached OIP, trace on / minimal Hono + ORT (req/s)', a: 'uncached-oip', b: 'ort-oip', metric: 'rps', goal: '>= 0.9', ok: (x) => x >= 0.9 },
  { name: 'uncached OIP p99 / minimal handler p99', a: 'uncached-oip', b: 'ort-oip', metric: 'p99', goal: '<= 1.5', ok: (x) => x <= 1.5 },
  { name: 'trace on / trace off, uncached OIP (req/s)', a: 'uncached-oip', b: 'no-trace-oip', metric: 'rps', goal: '>= 0.95', ok: (x) => x >= 0.95 },
  { name: 'OpenTelemetry on (10 % sampled) / off, uncached OIP (req/s)', a: 'otel-10-oip', b: 'otel-off-oip', metric: 'rps', goal: '>= 0.95', ok: (x) => x >= 0.95 },
  { name: 'binary image in/out, uncached, trace on / minimal Hono + ORT reading raw bytes (req/s)', a: 'binary-image', b: 'ort-binary-image', metric: 'rps', goal: '>= 0.9', ok: (x) => x >= 0.9 },
  { name: 'the same image: gateway binary / gateway OIP JSON (req/s)', a: 'binary-image', b: 'json-image', metric: 'rps', goal: '>= 10', ok: (x) => x >= 10 },
  { name: 'binary image, trace on / trace off (req/s): the input digest the trace records', a: 'binary-image', b: 'binary-image-no-trace', metric: 'rps' },
  { name: 'binary image, trace off / minimal Hono + ORT reading raw bytes (req/s)', a: 'binary-image-no-trace', b: 'ort-binary-image', metric: 'rps' },
  { name: 'mlp-heavy batched / per request (req/s)', a: 'heavy-batched', b: 'heavy', metric: 'rps', goal: '>= 1.5', ok: (x) => x >= 1.5 },
  { name: 'cache hit v1 / parse-and-respond with the gateway stamps (req/s)', a: 'hit-v1', b: 'stamped-v1', metric: 'rps' },
  { name: 'cache hit OIP / parse-and-respond with the gateway stamps (req/s)', a: 'hit-oip', b: 'stamped-oip', metric: 'rps' },
  { name: 'stamped / plain parse-and-respond, v1 (req/s)', a: 'stamped-v1', b: 'parse-v1', metric: 'rps' },
  { name: 'uncached OIP / minimal Hono + ORT with the gateway stamps (req/s)', a: 'uncached-oip', b: 'ort-stamped-oip', metric: 'rps' },
  { name: 'stamped / plain minimal Hono + ORT, OIP (req/s)', a: 'ort-stamped-oip', b: 'ort-oip', metric: 'rps' },
  { name: 'uncached OIP batched per turn / minimal Hono + ORT (req/s)', a: 'batched-oip', b: 'ort-oip', metric: 'rps' },
  { name: 'uncached v1 / minimal Hono + ORT, v1 body (req/s)', a: 'uncached-v1', b: 'ort-v1', metric: 'rps' },
  { name: 'canary 90/10 / uncached v1 (req/s)', a: 'canary', b: 'canary-base', metric: 'rps' },
  { name: 'cluster (2 workers) / single process, cache hit (req/s)', a: 'hit-cluster', b: 'hit-single', metric: 'rps' },
  { name: 'cluster (2 workers) / single process, miss (req/s)', a: 'miss-cluster', b: 'miss-single', metric: 'rps' },
];

const GRPC = grpcRows({ root, scratch, here, reps, gateway });
Object.assign(SERVERS, GRPC.servers);
LOADS.push(...GRPC.loads);
GROUPS.push(GRPC.group);
PAIRS.push(...GRPC.pairs);
const HEAVY_SWEEP = heavySweepRows({ root, scratch, reps, gateway, sweepFile: args.find((a) => a.startsWith('--sweep='))?.slice('--sweep='.length) });
Object.assign(SERVERS, HEAVY_SWEEP.servers);
LOADS.push(...HEAVY_SWEEP.loads);
GROUPS.push(HEAVY_SWEEP.group);
PAIRS.push(...HEAVY_SWEEP.pairs);

/** Is flag routing wired? 200 distinct users must be routed by flag to both versions. */
async function probeCanary(base: (server: string) => string): Promise<string | undefined> {
  const seen = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${base('canary')}${PV}`, { method: 'POST', body: PREDICT_BODY, headers: { 'content-type': 'application/json', 'x-user-id': `probe-${i}` } });
    await res.body?.cancel();
    const route = res.headers.get('x-model-route') ?? '';
    if (res.status !== 200 || !route.startsWith('flag:')) return `flag routing not wired (status ${res.status}, route '${route}')`;
    const v = res.headers.get('x-model-version') ?? '?';
    seen.set(v, (seen.get(v) ?? 0) + 1);
  }
  return seen.size < 2 ? `flags routed every probe user to ${[...seen.keys()].join(', ')}` : undefined;
}

/** Is tracing on? Ten requests carrying a sampled traceparent must reach the sink as spans of their traces. */
async function probeTracing(base: (server: string) => string): Promise<string | undefined> {
  const watching = otlpSink.watch();
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    ids.push((i + 1).toString(16).padStart(32, 'a'));
    const traceparent = `00-${ids[i]}-00f067aa0ba902b7-01`;
    const res = await fetch(`${base('uncached-otel')}${PV_OIP}`, { method: 'POST', body: INFER_BODY, headers: { 'content-type': 'application/json', traceparent } });
    await res.body?.cancel();
  }
  for (let waited = 0; waited < 5000 && !watching.saw(ids); waited += 100) await new Promise((r) => setTimeout(r, 100));
  const saw = watching.saw(ids);
  watching.stop();
  return saw ? undefined : `tracing not wired: the probe's 10 traces did not all reach the OTLP sink (${otlpSink.exports()} exports)`;
}

async function runGroup(g: Group, scenarios: Map<string, Scenario>): Promise<void> {
  const loads = g.loads.map((id) => LOADS.find((l) => l.id === id) as Load).filter((l) => !only || only.includes(l.id));
  if (loads.length === 0) return;
  const servers = new Map<string, { server: Server; base: string; grpcTarget?: string }>();
  try {
    for (const name of new Set(loads.map((l) => l.server))) {
      const def = SERVERS[name] as ServerDef;
      const port = await freePort();
      const grpcPort = def.grpc ? await freePort() : undefined;
      const server = startServer(name, def.argv(port, grpcPort), def.env?.(port, grpcPort) ?? {}, root);
      servers.set(name, { server, base: `http://127.0.0.1:${port}`, grpcTarget: grpcPort ? `127.0.0.1:${grpcPort}` : undefined });
      await waitReady(server, `http://127.0.0.1:${port}${def.ready}`, 60_000, def.readyLog);
    }
    const pending = await g.probe?.((s) => servers.get(s)?.base ?? '');
    for (let rep = 0; rep < g.reps; rep++) {
      for (const l of loads) {
        const s = scenarios.get(l.id) ?? { id: l.id, label: l.label, connections: l.connections, runs: [] };
        scenarios.set(l.id, s);
        if (pending) {
          s.pending = pending;
          continue;
        }
        const target = servers.get(l.server) as { server: Server; base: string; grpcTarget?: string };
        process.stderr.write(`  [${g.id} ${rep + 1}/${g.reps}] ${l.id}: ${l.label}, ${l.connections} conn ... `);
        let r: LoadResult;
        if (l.grpc) {
          const spec: GrpcLoadSpec = { target: target.grpcTarget as string, workload: l.grpc, connections: l.connections, warmupSec, durationSec, tally: l.tally };
          r = await runLoad(GRPC_LOAD, spec, root, target.server.child.pid);
        } else {
          const spec: LoadSpec = {
            url: `${target.base}${l.path}`, method: l.body || l.bodyFile ? 'POST' : 'GET', body: l.body, bodyFile: l.bodyFile, headers: l.headers,
            connections: l.connections, warmupSec, durationSec, users: l.users, tally: l.tally,
          };
          r = await runLoad(LOAD, spec, root, target.server.child.pid);
        }
        s.runs.push(r);
        process.stderr.write(`${r.rps.toFixed(0)} req/s, p99 ${r.p99} ms, ${r.cpuUsPerReq?.toFixed(0) ?? '?'} us CPU/req (client ${r.clientCpuUsPerReq?.toFixed(0) ?? '?'})${r.non2xx + r.errors ? `, ${r.non2xx + r.errors} non-2xx/errors` : ''}\n`);
        const profileDir = profile ? SERVERS[l.server]?.profileDir : undefined;
        // This load's share of its server's profile: its requests, its window (no start-up, no warm-up).
        if (profileDir) process.stderr.write(`    profile: node dist/bench/profile-summary.js ${profileDir}/*.cpuprofile --requests=${r.total} --window=${r.windowUs}\n`);
      }
    }
  } finally {
    for (const { server } of servers.values()) await stopServer(server);
  }
}

async function main(): Promise<void> {
  if (!existsSync(GATEWAY)) throw new Error(`${GATEWAY} is missing: run npm run build first`);
  const heavyDir = join(root, 'models', 'mlp-heavy', '1.0.0');
  const heavyWanted = !only || only.some((id) => id.startsWith('heavy'));
  if (heavyWanted && !existsSync(join(heavyDir, 'model.onnx'))) {
    process.stderr.write('models/mlp-heavy is missing: generating it (npm run models makes it too) ...\n');
    await buildHeavyModel(join(root, 'models'));
  }
  const started = Date.now();
  process.stderr.write(`modelgate bench: ${cpus().length} CPU(s), node ${process.version}, ${warmupSec} s warm-up + ${durationSec} s per load, ${reps} repetitions of each pair\n`);
  const scenarios = new Map<string, Scenario>();
  for (const g of GROUPS) await runGroup(g, scenarios);
  const all = [...scenarios.values()];
  const report = `${scenarioTable(all)}\n\n${pairTable(PAIRS, scenarios)}\n\n${targetTable(PAIRS, scenarios)}\n\n${HEAVY_SWEEP.note(scenarios)}`;
  process.stdout.write(`\n${report}`);
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${stamp}.json`);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, platform: process.platform };
  writeFileSync(file, `${JSON.stringify({ startedAt: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000, machine, durationSec, warmupSec, reps, profile, scenarios: all, report }, null, 2)}\n`);
  rmSync(scratch, { recursive: true, force: true });
  process.stderr.write(`\nwrote ${file} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
