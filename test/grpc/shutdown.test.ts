import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/fixtures.js';
import { GrpcTestClient } from '../support/grpc-client.js';
import { imageInferRequest, modelsWithImage, pixels } from '../support/image-model.js';
import { startServerProcess } from '../support/server-process.js';

/**
 * SIGTERM with a gRPC call in flight: health turns NOT_SERVING at once (the drain delay), the
 * call is still answered, and the process exits 0 once it has been; the server is gone after.
 */
describe('graceful shutdown drains gRPC calls (server process)', () => {
  it('answers the call in flight, reports NOT_SERVING while draining, exits 0', async () => {
    const dir = tempDir('modelgate-grpc-drain-');
    // Each prediction waits ~1.5 s in the batching queue: still in flight when SIGTERM arrives.
    writeFileSync(
      join(dir, 'gateway.json'),
      JSON.stringify({
        modelsDir: modelsWithImage(),
        flags: { source: 'file', file: join(dir, 'none.json') },
        cache: { enabled: false },
        models: { 'image-classifier': { batching: { enabled: true, maxBatchSize: 64, maxQueueDelayMicros: 1_500_000 } } },
      }),
    );
    const server = await startServerProcess({ MODELGATE_CONFIG: join(dir, 'gateway.json'), MODELGATE_DRAIN_DELAY_MS: '500' });
    const client = new GrpcTestClient(server.grpcTarget);
    try {
      expect((await client.health()).response).toEqual({ status: 1 });
      const inFlight = client.infer(imageInferRequest(pixels()));
      await new Promise((r) => setTimeout(r, 300));
      const exitCode = server.stop('SIGTERM');
      await new Promise((r) => setTimeout(r, 100));
      const draining = await client.health();
      const answered = await inFlight;
      expect(draining.response).toEqual({ status: 2 });
      expect(answered.error).toBeUndefined();
      expect(answered.initial['x-model-name']).toBe('image-classifier');
      expect((answered.response?.raw_output_contents as string[]).length).toBe(1);
      expect(await exitCode).toBe(0);
      expect(server.logs()).toMatch(/shutdown complete/);
    } finally {
      client.close();
      await server.stop();
    }
  });
});
