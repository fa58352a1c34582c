// The load generator, run as its own process: `node dist/bench/load.js '<LoadSpec JSON>'`; prints a LoadResult JSON line.
import { readFileSync } from 'node:fs';
import { clientCpu } from './client-cpu.js';
import autocannon, { type RequestSpec } from 'autocannon';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  /** A body read from a file (binary, or too large to pass as an argument); replaces `body`. */
  bodyFile?: string;
  headers?: Record<string, string>;
  connections: number;
  warmupSec: number;
  durationSec: number;
  /** Send x-user-id from a rotating pool of this many users (sticky routing). */
  users?: number;
  /** Count the values of this response header (e.g. x-model-version, x-cache). */
  tally?: string;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
  mean: number;
  total: number;
  non2xx: number;
  errors: number;
  tally?: Record<string, number>;
  /** Server CPU time per request in microseconds (all its threads), filled in by the parent. */
  cpuUsPerReq?: number;
  /** The load generator's own CPU time per request in microseconds (it shares the machine with the server). */
  clientCpuUsPerReq?: number;
  /** The measured part on the monotonic clock, `FROM,TO` in µs: profile-summary.js --window. */
  windowUs?: string;
}

async function run(spec: LoadSpec, seconds: number, tally?: Record<string, number>): Promise<LoadResult> {
  let user = 0;
  const request: RequestSpec = {};
  if (spec.users) {
    request.setupRequest = (req) => ({ ...req, headers: { ...req.headers, 'x-user-id': `user-${user++ % (spec.users ?? 1)}` } });
  }
  if (tally && spec.tally) {
    const name = spec.tally;
    request.onResponse = (_status, _body, _ctx, headers) => {
      const v = String(headers[name] ?? '(none)');
      tally[v] = (tally[v] ?? 0) + 1;
    };
  }
  const result = await autocannon({
    url: spec.url,
    method: spec.method,
    body: spec.bodyFile ? readFileSync(spec.bodyFile) : spec.body,
    headers: { 'content-type': 'application/json', ...spec.headers },
    connections: spec.connections,
    duration: seconds,
    timeout: 20,
    requests: [request],
  });
  const { requests, latency } = result;
  return {
    rps: requests.average,
    p50: latency.p50,
    p97_5: latency.p97_5,
    p99: latency.p99,
    mean: latency.mean,
    total: requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    ...(tally ? { tally } : {}),
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  if (spec.warmupSec > 0) await run(spec, spec.warmupSec);
  // The parent samples the server's CPU time between these two lines.
  process.stdout.write('measuring\n');
  const from = process.hrtime.bigint() / 1000n;
  const cpu = process.cpuUsage();
  const result = await run(spec, spec.durationSec, spec.tally ? {} : undefined);
  result.clientCpuUsPerReq = clientCpu(cpu, result.total);
  result.windowUs = `${from},${process.hrtime.bigint() / 1000n}`;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`load: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
