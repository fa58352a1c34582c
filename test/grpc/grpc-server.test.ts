import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGrpc } from '../../src/build-grpc.js';
import type { Gateway } from '../../src/gateway.js';
import type { GrpcServer } from '../../src/grpc/grpc-server.js';
import { loadProtos } from '../../src/grpc/proto.js';
import { copyDemoModels } from '../support/fixtures.js';
import { startGateway } from '../support/gateway.js';
import { GrpcTestClient } from '../support/grpc-client.js';

const protos = loadProtos();

/** Send `bytes` as the request of `path` (no serialiser in between): what a broken client sends. */
function rawCall(target: string, path: string, bytes: Buffer): Promise<ServiceError | undefined> {
  const client = new Client(target, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, new Metadata(), (err) => {
      client.close();
      resolve(err ?? undefined);
    });
  });
}

/** The first `n` statuses a Health.Watch stream sends. */
function watch(target: string, n: number, onFirst: () => void): Promise<number[]> {
  const client = new Client(target, credentials.createInsecure());
  return new Promise((resolve) => {
    const seen: number[] = [];
    const call = client.makeServerStreamRequest(
      '/grpc.health.v1.Health/Watch',
      (o: object) => Buffer.from(protos.HealthCheckRequest.encode(o).finish()),
      (b: Buffer) => (protos.HealthCheckResponse.decode(b) as unknown as { status: number }).status,
      { service: '' },
    );
    call.on('data', (s: number) => {
      seen.push(s);
      if (seen.length === 1) onFirst();
      if (seen.length === n) {
        call.cancel();
        client.close();
        resolve(seen);
      }
    });
    call.on('error', () => undefined);
  });
}

describe('the gRPC server in process (grpc-js client)', () => {
  let gateway: Gateway;
  let server: GrpcServer;
  let target: string;

  beforeAll(async () => {
    // grpc.port (non-zero) only makes buildGrpc build the server; it listens on an ephemeral port here.
    gateway = await startGateway(copyDemoModels(), { grpc: { port: 1 }, models: { 'property-valuation': { defaultVersion: '1.0.0' } } });
    server = buildGrpc(gateway) as GrpcServer;
    target = `127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await server?.close(1000);
    await gateway?.close();
  });

  it('answers bytes that are not a protobuf message with INVALID_ARGUMENT, on every RPC', async () => {
    const junk = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    for (const rpc of ['ModelInfer', 'ModelMetadata', 'ModelReady']) {
      const err = await rawCall(target, `/inference.GRPCInferenceService/${rpc}`, junk);
      expect(err?.code).toBe(status.INVALID_ARGUMENT);
      expect(err?.details).toMatch(/^the request is not a valid \w+ message$/);
    }
  });

  it('refuses a message over grpc.maxMessageBytes before decoding it', async () => {
    const small = await startGateway(copyDemoModels(), { grpc: { port: 1, maxMessageBytes: 1024 } });
    const tiny = buildGrpc(small) as GrpcServer;
    const port = await tiny.listen(0, '127.0.0.1');
    try {
      const err = await rawCall(`127.0.0.1:${port}`, '/inference.GRPCInferenceService/ModelInfer', Buffer.alloc(4096));
      expect(err?.code).toBe(status.RESOURCE_EXHAUSTED);
    } finally {
      await tiny.close(1000);
      await small.close();
    }
  });

  it('shutdown ends open Health.Watch streams (known or unknown service), so it completes in time', async () => {
    const other = await startGateway(copyDemoModels(), { grpc: { port: 1 } });
    const grpc = buildGrpc(other) as GrpcServer;
    const at = `127.0.0.1:${await grpc.listen(0, '127.0.0.1')}`;
    const client = new Client(at, credentials.createInsecure());
    const ended = (service: string) =>
      new Promise<number[]>((resolve) => {
        const seen: number[] = [];
        const call = client.makeServerStreamRequest(
          '/grpc.health.v1.Health/Watch',
          (o: object) => Buffer.from(protos.HealthCheckRequest.encode(o).finish()),
          (b: Buffer) => (protos.HealthCheckResponse.decode(b) as unknown as { status: number }).status,
          { service },
        );
        call.on('data', (st: number) => seen.push(st));
        call.on('status', () => resolve(seen));
        call.on('error', () => undefined);
      });
    const known = ended('');
    const unknown = ended('no.such.Service');
    await new Promise((r) => setTimeout(r, 200));
    other.failReadiness();
    expect(await grpc.close(5_000)).toBe(true);
    expect(await known).toEqual([1, 2]);
    expect(await unknown).toEqual([3]);
    client.close();
    await other.close();
  });

  it('Health.Watch sends SERVING, then NOT_SERVING once readiness fails (SIGTERM)', async () => {
    const statuses = await watch(target, 2, () => {
      gateway.failReadiness();
      server.startDraining();
    });
    expect(statuses).toEqual([1, 2]);
    const client = new GrpcTestClient(target);
    expect((await client.health()).response).toEqual({ status: 2 });
    // Still served while draining, as HTTP is.
    const r = await client.infer({
      model_name: 'property-valuation',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], contents: { fp32_contents: [1800, 3, 2, 1995, 6000, 1, 4, 2] } }],
    });
    client.close();
    expect(r.error).toBeUndefined();
    expect(r.initial['x-model-version']).toBe('1.0.0');
  });
});
