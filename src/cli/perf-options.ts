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

type Values = Record<string, string | boolean | string[] | undefined>;

/** The parsed options, read so that every mistake is a UsageError naming its option. */
class PerfOptions {
  constructor(readonly values: Values) {}

  str(k: string): string | undefined {
    const v = this.values[k];
    return typeof v === 'string' ? v : undefined;
  }

  guard<T>(opt: string, f: () => T): T {
    try {
      return f();
    } catch (err) {
      throw new UsageError(`--${opt}: ${(err as Error).message}`);
    }
  }

  int(k: string, dflt: number, min = 1): number {
    const v = this.str(k);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${k} must be an integer >= ${min}`);
    return n;
  }

  list(k: string, dflt: number[], min: number): number[] {
    return (this.str(k)?.split(',').map(Number) ?? dflt).map((n) => {
      if (!Number.isInteger(n) || n < min) throw new UsageError(`--${k}: a comma-separated list of integers >= ${min}`);
      return n;
    });
  }
}

/** `modelgate perf`'s command line -> what to run; every mistake is a UsageError naming the option. */
export function parsePerfArgs(args: string[]): PerfCli {
  const o = readOptions(args);
  const target = targetOf(o);
  const loads = loadsOf(o);
  const unique = Number(o.str('unique-inputs') ?? 0);
  if (!(unique >= 0 && unique <= 1)) throw new UsageError('--unique-inputs is a share between 0 and 1');
  const stability = Number(o.str('stability') ?? 10);
  if (!(stability > 0)) throw new UsageError('--stability is a percentage > 0');
  const shapes = shapesOf(o);
  const inputData = o.str('input-data') ?? 'random';
  const replay = o.str('replay-trace') === undefined ? undefined : o.int('replay-trace', 100);
  if (replay !== undefined && o.str('input-data')) throw new UsageError('give --input-data or --replay-trace, not both');
  const windows = o.int('windows', 3);
  const out: PerfCli = {
    run: {
      target,
      loads,
      users: o.int('users', 0, 0),
      uniqueShare: unique,
      inputData: replay !== undefined ? { trace: replay } : inputData === 'random' || inputData === 'zero' ? inputData : { file: inputData },
      shapes,
      batchSize: o.int('batch-size', 1),
      measure: {
        windowMs: o.guard('duration', () => parseDuration(o.str('duration') ?? '5s')),
        warmupMs: o.guard('warmup', () => parseDuration(o.str('warmup') ?? '1s')),
        windows,
        stabilityPct: stability,
        maxWindows: Math.max(windows, o.int('max-windows', 10)),
      },
    },
    quiet: o.values.quiet === true,
  };
  for (const k of ['json', 'csv', 'html'] as const) if (o.str(k)) out[k] = o.str(k);
  if (o.values['sweep-batching'] === true) out.sweep = sweepOf(o);
  return out;
}

function readOptions(args: string[]): PerfOptions {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = { shape: { type: 'string', multiple: true }, quiet: { type: 'boolean' }, 'sweep-batching': { type: 'boolean' } };
  for (const name of VALUED) options[name] = { type: 'string' };
  try {
    return new PerfOptions(parseArgs({ args, options, strict: true, allowPositionals: false }).values as Values);
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0] ?? 'invalid arguments');
  }
}

/** The gateway, model and protocol under test, with the headers every request carries. */
function targetOf(o: PerfOptions): Target {
  const model = o.str('model');
  if (!model) throw new UsageError('--model is required');
  const protocol = (o.str('protocol') ?? 'oip-json') as Protocol;
  if (!['v1', 'oip-json', 'oip-binary', 'grpc'].includes(protocol)) throw new UsageError('--protocol must be v1, oip-json, oip-binary or grpc');
  const url = (o.str('url') ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const parsedUrl = o.guard('url', () => new URL(url));
  const cache = o.str('cache') ?? 'on';
  if (cache !== 'on' && cache !== 'off') throw new UsageError('--cache must be on or off');
  const headers: Record<string, string> = {};
  if (cache === 'off') headers['cache-control'] = 'no-cache';
  const token = o.str('token');
  if (token) headers.authorization = `Bearer ${token}`;
  const version = o.str('version');
  return {
    url,
    model,
    ...(version ? { version } : {}),
    protocol,
    grpcAddress: o.str('grpc-address') ?? `${parsedUrl.hostname}:8081`,
    headers,
  };
}

/** The load steps: closed-loop concurrency levels, or open-loop request rates. */
function loadsOf(o: PerfOptions): Load[] {
  if (o.str('concurrency') && o.str('rate')) throw new UsageError('give --concurrency or --rate, not both');
  const connections = o.int('connections', 64);
  return o.str('rate')
    ? o.guard('rate', () => parseSteps(o.str('rate') as string)).map((rate) => ({ rate, connections: Math.min(connections, rate) }))
    : o.guard('concurrency', () => parseSteps(o.str('concurrency') ?? '1:16:x4')).map((concurrency) => ({ concurrency }));
}

/** --shape NAME:D1,D2,... for inputs whose metadata leaves dims open. */
function shapesOf(o: PerfOptions): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const s of (o.values.shape as string[] | undefined) ?? []) {
    const m = /^([^:]+):(\d+(?:,\d+)*)$/.exec(s);
    if (!m) throw new UsageError(`--shape ${s.slice(0, 60)}: NAME:D1,D2,... (e.g. input:1,16000)`);
    shapes.set(m[1] as string, (m[2] as string).split(',').map(Number));
  }
  return shapes;
}

/** --sweep-batching: the grid of batch sizes and queue delays, and where the gateways come from. */
function sweepOf(o: PerfOptions): SweepOptions {
  const budget = o.str('p99-budget');
  if (!budget) throw new UsageError('--sweep-batching needs --p99-budget (e.g. 20ms)');
  const sweep: SweepOptions = {
    p99BudgetMs: o.guard('p99-budget', () => parseDuration(/[a-z]$/.test(budget) ? budget : `${budget}ms`)),
    modelsDir: o.str('models-dir') ?? 'models',
    batchSizes: o.list('batch-sizes', [1, 8, 32, 64], 1),
    queueDelays: o.list('queue-delays', [500, 2000], 0),
    ...(o.str('config') ? { baseConfig: o.str('config') } : {}),
    // --url names a running gateway: swept through its admin API (--models-dir: local spawns).
    ...(o.str('url') && !o.str('models-dir') ? { remote: true } : {}),
  };
  if (sweep.remote && o.str('config')) throw new UsageError('--config is for a local sweep (--models-dir); a sweep over --url changes the running gateway through its admin API');
  return sweep;
}
