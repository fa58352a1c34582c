import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpcTestClient } from '../support/grpc-client.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const FEATURES = Buffer.from(Float32Array.from([1800, 3, 2, 1995, 6000, 2, 4, 1]).buffer);
const request = {
  model_name: 'property-valuation',
  inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8] }],
  raw_input_contents: [FEATURES],
};

describe('modelgate serve --workers 2 serves gRPC in every worker', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ LOG_LEVEL: 'info' }, { args: ['--workers', '2'], ready: 'modelgate cluster ready' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('hands gRPC connections to both workers: the same request misses once per worker', async () => {
    const tally: Record<string, number> = {};
    for (let i = 0; i < 12; i++) {
      // A connection of its own per call, so the cluster hands each to the next worker in turn.
      const client = new GrpcTestClient(server.grpcTarget);
      try {
        const r = await client.infer(request, { 'x-model-version': '1.0.0' });
        const key = r.error ? `error ${r.error.code}` : `ok ${r.initial['x-cache']}`;
        tally[key] = (tally[key] ?? 0) + 1;
      } finally {
        client.close();
      }
    }
    // Each worker has its own L1: the body is computed once per worker, then hits.
    expect(tally).toEqual({ 'ok miss': 2, 'ok hit': 10 });
    const pids = new Set([...server.logs().matchAll(/"pid":(\d+)[^\n]*gRPC \(OIP V2\) listening/g)].map((m) => m[1]));
    expect(pids.size).toBe(2);
  });
});
