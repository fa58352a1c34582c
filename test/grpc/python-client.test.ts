import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_SHAPE } from '../../tools/training/image-classifier.js';
import { tempDir } from '../support/fixtures.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { compileStubs, fp32Base64, fp32FromBase64, grpcPython, pythonCalls, type GrpcCall, type GrpcResult } from '../support/grpc-python.js';
import { modelsWithImage, pixels } from '../support/image-model.js';
import { directRun, directRunFile } from '../support/ort-reference.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { requireService } from '../support/services.js';

const MODEL = 'property-valuation';
const ROWS = [
  [1800, 3, 2, 1995, 6000, 2, 4, 1],
  [950, 1, 1, 1978, 0, 0, 3, 0],
];
const PIXELS = pixels();
const INTERNALS = /\/work\/|\/src\/|\.ts:\d|\bat \S+ \(|node_modules/;

const python = grpcPython();
const available = requireService('grpc-python', python !== undefined);

/** A 50/50 split sticky by user, and tenant acme always on the canary (config/flags.json's shape). */
const FLAGS = {
  version: 2,
  features: [
    {
      name: MODEL,
      type: 'experiment',
      enabled: true,
      strategies: [
        {
          name: 'flexibleRollout',
          parameters: { rollout: '100', stickiness: 'default', groupId: `${MODEL}-acme` },
          constraints: [{ contextName: 'tenantId', operator: 'IN', values: ['acme'] }],
          variants: [{ name: 'canary', weight: 1000, weightType: 'variable', stickiness: 'default', payload: { type: 'string', value: 'canary' } }],
        },
        {
          name: 'flexibleRollout',
          parameters: { rollout: '100', stickiness: 'default', groupId: MODEL },
          constraints: [],
          variants: [
            { name: 'stable', weight: 500, weightType: 'variable', stickiness: 'default', payload: { type: 'string', value: 'stable' } },
            { name: 'canary', weight: 500, weightType: 'variable', stickiness: 'default', payload: { type: 'string', value: 'canary' } },
          ],
        },
      ],
      variants: [],
    },
  ],
};

const one = (r: GrpcResult | GrpcResult[]): GrpcResult => (Array.isArray(r) ? (r[0] as GrpcResult) : r);
const outputsOf = (r: GrpcResult): number[] => fp32FromBase64(((r.response?.raw_output_contents as string[]) ?? [])[0] ?? '');
const tabular = (extra: Record<string, unknown> = {}, rows = ROWS): Record<string, unknown> => ({
  model_name: MODEL,
  inputs: [{ name: 'features', datatype: 'FP32', shape: [rows.length, 8] }],
  raw_input_contents: [fp32Base64(rows.flat())],
  ...extra,
});
const image = (extra: Record<string, unknown> = {}, pixels = PIXELS): Record<string, unknown> => ({
  model_name: 'image-classifier',
  inputs: [{ name: 'pixels', datatype: 'FP32', shape: [1, ...IMAGE_SHAPE] }],
  raw_input_contents: [fp32Base64(pixels)],
  ...extra,
});

async function startGateway(config: Record<string, unknown>): Promise<{ server: ServerProcess; target: string; models: string }> {
  const dir = tempDir('modelgate-grpc-');
  const models = modelsWithImage();
  writeFileSync(join(dir, 'flags.json'), JSON.stringify(FLAGS));
  writeFileSync(join(dir, 'gateway.json'), JSON.stringify({ modelsDir: models, flags: { source: 'file', file: join(dir, 'flags.json') }, ...config }));
  const server = await startServerProcess({ MODELGATE_CONFIG: join(dir, 'gateway.json'), MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN });
  return { server, target: server.grpcTarget, models };
}

describe.skipIf(!available)('OIP V2 over gRPC, called by Debian python3-grpcio with stubs compiled from proto/', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let stubs: string;
  const call = async (calls: GrpcCall[], target = gateway.target) => pythonCalls(python as string, stubs, target, calls);
  const single = async (c: GrpcCall, target?: string) => one((await call([c], target))[0] as GrpcResult);

  beforeAll(async () => {
    stubs = compileStubs(python as string);
    gateway = await startGateway({ models: { [MODEL]: { defaultVersion: '1.0.0', aliases: { canary: '1.1.0' } } } });
  });
  afterAll(async () => {
    await gateway?.server.stop();
  });

  it('answers every server and model RPC, and the health service', async () => {
    const [live, ready, meta, model, modelReady, versionReady, check, watch, unknownService] = (await call([
      { rpc: 'ServerLive' },
      { rpc: 'ServerReady' },
      { rpc: 'ServerMetadata' },
      { rpc: 'ModelMetadata', request: { name: MODEL, version: '1.1.0' } },
      { rpc: 'ModelReady', request: { name: 'image-classifier' } },
      { rpc: 'ModelReady', request: { name: MODEL, version: '2.0.0' } },
      { rpc: 'Health.Check' },
      { rpc: 'Health.Watch', request: { service: 'inference.GRPCInferenceService' } },
      { rpc: 'Health.Check', request: { service: 'no.such.Service' } },
    ])).map(one);
    expect(live?.response).toEqual({ live: true });
    expect(ready?.response).toEqual({ ready: true });
    expect(meta?.response).toEqual({ name: 'modelgate', version: '0.1.0', extensions: ['model_repository'] });
    expect(model?.response).toEqual({
      name: MODEL,
      versions: ['1.0.0', '1.1.0', '2.0.0'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'features', datatype: 'FP32', shape: ['-1', '8'] }],
      outputs: [{ name: 'price', datatype: 'FP32', shape: ['-1', '1'] }],
    });
    expect(modelReady?.response).toEqual({ ready: true });
    expect(versionReady?.response).toEqual({ ready: true });
    expect(check?.response).toEqual({ status: 'SERVING' });
    expect(watch?.response).toEqual({ status: 'SERVING' });
    expect(unknownService?.code).toBe('NOT_FOUND');
  });

  it('ModelInfer with raw and with typed contents equals a direct onnxruntime run, stamped in the initial metadata', async () => {
    const [raw, typed] = (await call([
      { rpc: 'ModelInfer', request: tabular({ model_version: '1.1.0', id: 'q1' }) },
      {
        rpc: 'ModelInfer',
        request: { model_name: MODEL, inputs: [{ name: 'features', datatype: 'FP32', shape: [2, 8], contents: { fp32_contents: ROWS.flat() } }] },
        metadata: [['x-model-version', '1.0.0'], ['x-request-id', 'typed-1']],
      },
    ])).map(one);
    expect(raw?.code).toBe('OK');
    expect(outputsOf(raw as GrpcResult)).toEqual(await directRun(MODEL, '1.1.0', ROWS));
    expect(raw?.response).toMatchObject({
      model_name: MODEL,
      model_version: '1.1.0',
      id: 'q1',
      parameters: { route: { string_param: 'pinned' } },
      outputs: [{ name: 'price', datatype: 'FP32', shape: ['2', '1'] }],
    });
    expect(raw?.initial_metadata).toMatchObject({ 'x-model-name': MODEL, 'x-model-version': '1.1.0', 'x-model-route': 'pinned', 'x-cache': 'miss' });
    expect(outputsOf(typed as GrpcResult)).toEqual(await directRun(MODEL, '1.0.0', ROWS));
    expect(typed?.initial_metadata).toMatchObject({ 'x-request-id': 'typed-1', 'x-model-version': '1.0.0', 'x-model-route': 'pinned' });
    expect(typed?.response).toMatchObject({ id: 'typed-1', model_version: '1.0.0' });
  });

  it('the image-shaped model (FP32 [1,3,224,224]) in raw and typed contents equals a direct onnxruntime run', async () => {
    const want = await directRunFile(join(gateway.models, 'image-classifier', '1', 'model.onnx'), 'pixels', PIXELS, [1, ...IMAGE_SHAPE]);
    const [raw, typed] = (await call([
      { rpc: 'ModelInfer', request: image() },
      { rpc: 'ModelInfer', request: { model_name: 'image-classifier', inputs: [{ name: 'pixels', datatype: 'FP32', shape: [1, ...IMAGE_SHAPE], contents: { fp32_contents: Array.from(PIXELS) } }] } },
    ])).map(one);
    expect(raw?.response).toMatchObject({ model_name: 'image-classifier', model_version: '1', outputs: [{ name: 'logits', datatype: 'FP32', shape: ['1', '10'] }] });
    expect(outputsOf(raw as GrpcResult)).toEqual(want);
    expect(outputsOf(typed as GrpcResult)).toEqual(want);
  });

  it('a repeated request is a cache hit with the same outputs and its own id; the trace has it', async () => {
    const body = image({ model_version: '1' }, pixels(2));
    const [first, second] = (await call([
      { rpc: 'ModelInfer', request: body, metadata: [['x-request-id', 'img-a']] },
      { rpc: 'ModelInfer', request: body, metadata: [['x-request-id', 'img-b']] },
    ])).map(one);
    expect(first?.initial_metadata['x-cache']).toBe('miss');
    expect(second?.initial_metadata['x-cache']).toBe('hit');
    expect(second?.response?.id).toBe('img-b');
    expect(outputsOf(second as GrpcResult)).toEqual(outputsOf(first as GrpcResult));
    let traced: Response | undefined;
    for (let i = 0; i < 50 && traced?.status !== 200; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      traced = await fetch(`${gateway.server.url}/admin/predictions/img-b`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    }
    expect(traced?.status).toBe(200);
    expect(JSON.stringify(await traced?.json())).toContain('image-classifier');
  });

  it('routes as over HTTP: aliases (model_version or x-model-version), flags sticky by x-user-id, tenant from x-tenant-id', async () => {
    const users = Array.from({ length: 16 }, (_, i) => `user-${i}`);
    const calls: GrpcCall[] = users.flatMap((u) => [0, 1, 2].map(() => ({ rpc: 'ModelInfer', request: tabular(), metadata: [['x-user-id', u]] as [string, string][] })));
    calls.push({ rpc: 'ModelInfer', request: tabular({ model_version: 'canary' }) });
    calls.push({ rpc: 'ModelInfer', request: tabular(), metadata: [['x-model-version', 'canary']] });
    calls.push({ rpc: 'ModelInfer', request: tabular(), metadata: [['x-tenant-id', 'acme'], ['x-user-id', 'user-0']] });
    const results = (await call(calls)).map(one);
    const byUser = new Map<string, Set<string>>();
    users.forEach((u, i) => byUser.set(u, new Set(results.slice(i * 3, i * 3 + 3).map((r) => r.initial_metadata['x-model-version'] as string))));
    for (const versions of byUser.values()) expect(versions.size).toBe(1);
    const seen = new Set([...byUser.values()].flatMap((s) => [...s]));
    expect(seen).toEqual(new Set(['1.0.0', '1.1.0']));
    expect(results[0]?.initial_metadata['x-model-route']).toMatch(/^flag:/);
    expect(results.at(-3)?.initial_metadata).toMatchObject({ 'x-model-version': '1.1.0', 'x-model-route': 'pinned' });
    expect(results.at(-3)?.response?.model_version).toBe('1.1.0');
    expect(results.at(-2)?.initial_metadata).toMatchObject({ 'x-model-version': '1.1.0', 'x-model-route': 'pinned' });
    expect(results.at(-1)?.initial_metadata['x-model-version']).toBe('1.1.0');
  });

  it('maps every refusal to its status, with a clear message and never an internal detail', async () => {
    const created = await fetch(`${gateway.server.url}/admin/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ principal: 'vic', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    const viewer = ((await created.json()) as { token: string }).token;
    const deployerToken = await fetch(`${gateway.server.url}/admin/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ principal: 'gina', role: 'deployer' }),
    });
    const deployer = ((await deployerToken.json()) as { token: string }).token;
    const unload = { model_name: MODEL, parameters: { version: { string_param: '1.1.0' } } };
    const results = (await call([
      { rpc: 'ModelInfer', request: { ...tabular({}, [[1, 2, 3, 4, 5, 6, 7]]), inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 7] }] } },
      { rpc: 'ModelInfer', request: { ...tabular(), raw_input_contents: [fp32Base64([1, 2, 3])] } },
      { rpc: 'ModelInfer', request: { ...tabular(), inputs: [{ name: 'features', datatype: 'FLOAT', shape: [1, 8] }] } },
      { rpc: 'ModelInfer', request: tabular({ model_name: 'no-such-model' }) },
      { rpc: 'ModelInfer', request: tabular({ model_version: '9.9.9' }) },
      { rpc: 'RepositoryModelUnload', request: unload },
      { rpc: 'RepositoryModelUnload', request: unload, metadata: [['authorization', 'Bearer not-a-token']] },
      { rpc: 'RepositoryModelUnload', request: unload, metadata: [['authorization', `Bearer ${viewer}`]] },
      { rpc: 'RepositoryModelUnload', request: unload, metadata: [['authorization', `Bearer ${deployer}`]] },
      { rpc: 'ModelInfer', request: tabular({ model_version: '1.1.0' }) },
      { rpc: 'ModelReady', request: { name: MODEL, version: '1.1.0' } },
      { rpc: 'RepositoryModelLoad', request: unload, metadata: [['authorization', `Bearer ${deployer}`]] },
      { rpc: 'ModelInfer', request: tabular({ model_version: '1.1.0' }) },
    ])).map(one);
    const codes = results.map((r) => r.code);
    expect(codes).toEqual([
      'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'NOT_FOUND', 'NOT_FOUND',
      'UNAUTHENTICATED', 'UNAUTHENTICATED', 'PERMISSION_DENIED', 'OK',
      'UNAVAILABLE', 'OK', 'OK', 'OK',
    ]);
    expect(results[0]?.details).toBe("input 'features' must have shape [-1, 8] (-1 = dynamic), got [1, 7]");
    expect(results[1]?.details).toBe("input 'features' has 12 bytes of data but shape [2, 8] of FP32 needs 64");
    expect(results[2]?.details).toContain("unknown datatype 'FLOAT'");
    expect(results[3]?.details).toContain("model 'no-such-model'");
    expect(results[4]?.details).toContain("'9.9.9'");
    expect(results[7]?.details).toContain('deployer');
    expect(results[9]?.details).toBe(`version '1.1.0' of model '${MODEL}' is not ready`);
    expect(results[10]?.response).toEqual({});
    for (const r of results) {
      expect(r.details).not.toMatch(INTERNALS);
      if (r.code !== 'OK') expect(r.trailing_metadata['x-request-id']).toBeTruthy();
    }
    // The unload and load are audited with the token's principal, as over HTTP.
    const audit = await fetch(`${gateway.server.url}/admin/audit?limit=1000`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const rows = ((await audit.json()) as { records: { actor: string; action: string; target: string }[] }).records;
    const mine = rows.filter((r) => r.target === `${MODEL}@1.1.0` && /^model\.(un)?load$/.test(r.action)).slice(-2);
    expect(mine.map((r) => [r.actor, r.action])).toEqual([['gina', 'model.unload'], ['gina', 'model.load']]);
  });

  describe('over maxInFlight', () => {
    let busy: Awaited<ReturnType<typeof startGateway>>;
    beforeAll(async () => {
      // One prediction at a time, each held ~1 s in the batching queue: the calls behind it are shed.
      busy = await startGateway({
        limits: { maxInFlight: 1 },
        cache: { enabled: false },
        models: { 'image-classifier': { batching: { enabled: true, maxBatchSize: 64, maxQueueDelayMicros: 1_000_000 } } },
      });
    });
    afterAll(async () => {
      await busy?.server.stop();
    });

    it('sheds with RESOURCE_EXHAUSTED and retry-after, then serves again', async () => {
      const [burst, after] = await call([{ rpc: 'ModelInfer', request: image(), concurrent: 3 }, { rpc: 'ModelInfer', request: image() }], busy.target);
      const codes = (burst as GrpcResult[]).map((r) => r.code);
      expect(codes[0]).toBe('OK');
      expect(codes.slice(1)).toEqual(['RESOURCE_EXHAUSTED', 'RESOURCE_EXHAUSTED']);
      const shed = (burst as GrpcResult[])[1] as GrpcResult;
      expect(shed.details).toContain('limit of 1 concurrent predictions');
      expect(shed.trailing_metadata['retry-after']).toBe('1');
      expect(one(after as GrpcResult).code).toBe('OK');
    });
  });
});
