import { parseArgs } from 'node:util';
import { parseDuration, parseSteps } from '../perf/load-steps.js';
import type { Load } from '../perf/load-driver.js';
import type { Protocol } from '../perf/request-encoding.js';
import type { PerfRun } from '../perf/run-perf.js';
import type { Target } from '../perf/perf-target.js';
import type { SweepOptions } from '../perf/batching-sweep.js';
import { UsageError } from './usage-error.js';


export interface PerfCli {
  run: Omit<PerfRun, 'signal' | 'progress'>;
  quiet: boolean;
  json?: string;
  csv?: string;
  html?: string;
  sweep?: SweepOptions;
}

const VALUED = [
  'url', 'model', 'version', 'protocol', 'grpc-address', 'concurrency', 'rate', 'connections', 'duration', 'warmup', 'windows',
  'stability', 'max-windows', 'users', 'cache', 'unique-inputs', 'token', 'input-data', 'batch-size', 'replay-trace',
  'json', 'csv', 'html', 'p99-budget', 'models-dir', 'batch-sizes', 'queue-delays', 'config',
] as const;

/** `modelgate perf`'s command line -> what to run; every mistake is a UsageError naming the option. */
export function parsePerfArgs(args: string[]): PerfCli {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { shape: { type: 'string', multiple: true }, quiet: { type: 'boolean' }, 'sweep-batching': { type: 'boolean' } };
  for (const name of VALUED) options[name] = { type: 'string' };
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0] ?? 'invalid arguments');
  }
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const guard = <T>(opt: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      throw new UsageError(`--${opt}: ${(err as Error).message}`);
    }
  };
  const int = (k: string, dflt: number, min = 1) => {
    const v = str(k);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${k} must be an integer >= ${min}`);
    return n;
  };
  const model = str('model');
  if (!model) throw new UsageError('--model is required');
  const protocol = (str('protocol') ?? 'oip-json') as Protocol;
  if (!['v1', 'oip-json', 'oip-binary', 'grpc'].includes(protocol)) throw new UsageError('--protocol must be v1, oip-json, oip-binary or grpc');
  const url = (str('url') ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const parsedUrl = guard('url', () => new URL(url));
  const cache = str('cache') ?? 'on';
  if (cache !== 'on' && cache !== 'off') throw new UsageError('--cache must be on or off');
  const headers: Record<string, string> = {};
  if (cache === 'off') headers['cache-control'] = 'no-cache';
  const token = str('token');
  if (token) headers.authorization = `Bearer ${token}`;
  if (str('concurrency') && str('rate')) throw new UsageError('give --concurrency or --rate, not both');
  const connections = int('connections', 64);
  const loads: Load[] = str('rate')
    ? guard('rate', () => parseSteps(str('rate') as string)).map((rate) => ({ rate, connections: Math.min(connections, rate) }))
    : guard('concurrency', () => parseSteps(str('concurrency') ?? '1:16:x4')).map((concurrency) => ({ concurrency }));
  const unique = Number(str('unique-inputs') ?? 0);
  if (!(unique >= 0 && unique <= 1)) throw new UsageError('--unique-inputs is a share between 0 and 1');
  const stability = Number(str('stability') ?? 10);
  if (!(stability > 0)) throw new UsageError('--stability is a percentage > 0');
  const shapes = new Map<string, number[]>();
  for (const s of (values.shape as string[] | undefined) ?? []) {
    const m = /^([^:]+):(\d+(?:,\d+)*)$/.exec(s);
    if (!m) throw new UsageError(`--shape ${s.slice(0, 60)}: NAME:D1,D2,... (e.g. input:1,16000)`);
    shapes.set(m[1] as string, (m[2] as string).split(',').map(Number));
  }
  const inputData = str('input-data') ?? 'random';
  const replay = str('replay-trace') === undefined ? undefined : int('replay-trace', 100);
  if (replay !== undefined && str('input-data')) throw new UsageError('give --input-data or --replay-trace, not both');
  const windows = int('windows', 3);
  const list = (k: string, dflt: number[], min: number) =>
    (str(k)?.split(',').map(Number) ?? dflt).map((n) => {
      if (!Number.isInteger(n) || n < min) throw new UsageError(`--${k}: a comma-separated list of integers >= ${min}`);
      return n;
    });
  const version = str('version');
  const target: Target = {
    url,
    model,
    ...(version ? { version } : {}),
    protocol,
    grpcAddress: str('grpc-address') ?? `${parsedUrl.hostname}:8081`,
    headers,
  };
  const out: PerfCli = {
    run: {
      target,
      loads,
      users: int('users', 0, 0),
      uniqueShare: unique,
      inputData: replay !== undefined ? { trace: replay } : inputData === 'random' || inputData === 'zero' ? inputData : { file: inputData },
      shapes,
      batchSize: int('batch-size', 1),
      measure: {
        windowMs: guard('duration', () => parseDuration(str('duration') ?? '5s')),
        warmupMs: guard('warmup', () => parseDuration(str('warmup') ?? '1s')),
        windows,
        stabilityPct: stability,
        maxWindows: Math.max(windows, int('max-windows', 10)),
      },
    },
    quiet: values.quiet === true,
  };
  for (const k of ['json', 'csv', 'html'] as const) if (str(k)) out[k] = str(k);
  if (values['sweep-batching'] === true) {
    const budget = str('p99-budget');
    if (!budget) throw new UsageError('--sweep-batching needs --p99-budget (e.g. 20ms)');
    out.sweep = {
      p99BudgetMs: guard('p99-budget', () => parseDuration(/[a-z]$/.test(budget) ? budget : `${budget}ms`)),
      modelsDir: str('models-dir') ?? 'models',
      batchSizes: list('batch-sizes', [1, 8, 32, 64], 1),
      queueDelays: list('queue-delays', [500, 2000], 0),
      ...(str('config') ? { baseConfig: str('config') } : {}),
      // --url names a running gateway: swept through its admin API (--models-dir: local spawns).
      ...(str('url') && !str('models-dir') ? { remote: true } : {}),
    };
    if (out.sweep.remote && str('config')) throw new UsageError('--config is for a local sweep (--models-dir); a sweep over --url changes the running gateway through its admin API');
  }
  return out;
}
