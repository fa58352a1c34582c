// The gRPC load generator, run as its own process: `node dist/bench/grpc-load.js '<GrpcLoadSpec JSON>'`;
// prints `measuring`, then a LoadResult JSON line, as load.js does (autocannon speaks only HTTP/1.1).
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { grpcRequestBytes, type GrpcWorkload } from './grpc-workload.js';
import type { LoadResult } from './load.js';

export interface GrpcLoadSpec {
  /** host:port */
  target: string;
  workload: GrpcWorkload;
  /** Connections, each with one call outstanding at a time (as autocannon's connections). */
  connections: number;
  warmupSec: number;
  durationSec: number;
  /** Count the values of this initial-metadata key (e.g. x-cache). */
  tally?: string;
}

const PATH = '/inference.GRPCInferenceService/ModelInfer';
const bytes = (b: Buffer): Buffer => b;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** `connections` closed loops of ModelInfer for `seconds`: each sends its next call when the last is answered. */
async function run(clients: Client[], body: Buffer, seconds: number, tallyKey?: string): Promise<LoadResult> {
  const latencies: number[] = [];
  let failed = 0;
  const tally: Record<string, number> | undefined = tallyKey ? {} : undefined;
  const deadline = performance.now() + seconds * 1000;
  const loop = async (client: Client) => {
    while (performance.now() < deadline) {
      const started = performance.now();
      await new Promise<void>((resolve) => {
        const call = client.makeUnaryRequest(PATH, bytes, bytes, body, new Metadata(), (err) => {
          if (err) failed++;
          else latencies.push(performance.now() - started);
          resolve();
        });
        if (tally && tallyKey) {
          call.on('metadata', (md: Metadata) => {
            const v = String(md.get(tallyKey)[0] ?? '(none)');
            tally[v] = (tally[v] ?? 0) + 1;
          });
        }
      });
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
  const body = grpcRequestBytes(spec.workload);
  const clients = Array.from(
    { length: spec.connections },
    // A connection per client (grpc-js otherwise shares one per target).
    () => new Client(spec.target, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1, 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20, 'grpc.enable_channelz': 0 }),
  );
  if (spec.warmupSec > 0) await run(clients, body, spec.warmupSec);
  process.stdout.write('measuring\n');
  const from = process.hrtime.bigint() / 1000n;
  const result = await run(clients, body, spec.durationSec, spec.tally);
  result.windowUs = `${from},${process.hrtime.bigint() / 1000n}`;
  for (const c of clients) c.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`grpc-load: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
