// The gRPC load generator, run as its own process: `node dist/bench/grpc-load.js '<GrpcLoadSpec JSON>'`;
// prints `measuring`, then a LoadResult JSON line, as load.js does (autocannon speaks only HTTP/1.1).
import { grpcRequestBytes, type GrpcWorkload } from './grpc-workload.js';
import { clientCpu } from './client-cpu.js';
import type { LoadResult } from './load.js';
import { grpcFrame, H2GrpcConnection, requestHeaders } from '../src/perf/h2-grpc-client.js';

export interface GrpcLoadSpec {
  /** host:port */
  target: string;
  workload: GrpcWorkload;
  /** Calls in flight, each sent when the last was answered (as autocannon's connections). */
  connections: number;
  /** HTTP/2 connections the calls share, as ghz's --connections (default 1, as ghz's). */
  channels?: number;
  warmupSec: number;
  durationSec: number;
  /** Count the values of this initial-metadata key (e.g. x-cache). */
  tally?: string;
}

const PATH = '/inference.GRPCInferenceService/ModelInfer';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** `connections` closed loops of ModelInfer for `seconds`: each sends its next call when the last is answered. */
async function run(clients: H2GrpcConnection[], headers: Buffer, frame: Buffer, seconds: number, tallyKey?: string): Promise<LoadResult> {
  const latencies: number[] = [];
  let failed = 0;
  const tally: Record<string, number> | undefined = tallyKey ? {} : undefined;
  const deadline = performance.now() + seconds * 1000;
  const loop = async (client: H2GrpcConnection) => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const r = await client.call(headers, frame);
      if (r.code !== 0) failed++;
      else latencies.push(performance.now() - started);
      if (tally && tallyKey) {
        const v = String(r.headers[tallyKey] ?? '(none)');
        tally[v] = (tally[v] ?? 0) + 1;
      }
    }
  };
  await Promise.all(clients.map(loop));
  const sorted = latencies.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    rps: latencies.length / seconds,
    p50: round(percentile(sorted, 50)),
    p97_5: round(percentile(sorted, 97.5)),
    p99: round(percentile(sorted, 99)),
    mean: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    total: latencies.length,
    non2xx: failed,
    errors: 0,
    ...(tally ? { tally } : {}),
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as GrpcLoadSpec;
  // Framed once: every call writes the same bytes (as ghz and perf_analyzer reuse a request).
  const frame = grpcFrame(grpcRequestBytes(spec.workload));
  const headers = requestHeaders(spec.target, PATH);
  // A lean HTTP/2 client (src/perf/h2-grpc-client.ts), the calls sharing one connection as ghz's
  // do by default: on this 2-core machine the load generator competes with the server for CPU.
  const shared = Array.from({ length: Math.max(1, spec.channels ?? 1) }, () => new H2GrpcConnection(spec.target));
  const clients = Array.from({ length: spec.connections }, (_, i) => shared[i % shared.length] as H2GrpcConnection);
  if (spec.warmupSec > 0) await run(clients, headers, frame, spec.warmupSec);
  process.stdout.write('measuring\n');
  const from = process.hrtime.bigint() / 1000n;
  const cpu = process.cpuUsage();
  const result = await run(clients, headers, frame, spec.durationSec, spec.tally);
  result.clientCpuUsPerReq = clientCpu(cpu, result.total);
  result.windowUs = `${from},${process.hrtime.bigint() / 1000n}`;
  for (const c of shared) c.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`grpc-load: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
