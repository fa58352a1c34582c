import { existsSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { HttpServer } from '../../src/http/server.js';
import { sha256 } from '../support/fixtures.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { scaledVersion, startGoverned, uploadBody, type GovernedGateway, type VersionFiles } from '../support/governance.js';

const { onnx } = onnxProto;

/** A real version of the demo model padded to `mb` MiB by a seeded initializer the graph carries (not used by its nodes). */
function paddedVersion(version: string, mb: number): VersionFiles {
  const files = scaledVersion('1.0.0', version, 1);
  const model = onnx.ModelProto.decode(files.model);
  const values = new Float32Array((mb * 1024 * 1024) / 4);
  let x = 7;
  for (let i = 0; i < values.length; i++) values[i] = (x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32;
  model.graph?.initializer?.push(onnx.TensorProto.create({ name: 'padding', dataType: onnx.TensorProto.DataType.FLOAT, dims: [values.length], rawData: new Uint8Array(values.buffer) }));
  const bytes = onnx.ModelProto.encode(model).finish();
  return { ...files, model: bytes, manifest: { ...files.manifest, artifact: { ...(files.manifest.artifact as object), sha256: sha256(bytes), bytes: bytes.length } } };
}

describe('model upload over HTTP, above the JSON body limit', () => {
  let g: GovernedGateway;
  let http: HttpServer;
  let url: string;
  beforeAll(async () => {
    // JSON bodies at 1 MiB (the default); uploads at 8 MiB here (2 GiB by default).
    g = await startGoverned({ versions: ['1.0.0'], production: '1.0.0', limits: { maxUploadBytes: 8 * 1024 * 1024 } });
    http = new HttpServer(g.gateway.app.fetch, parseConfig({}).server);
    url = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await http?.close(100);
    await g?.close();
  });

  const post = (files: VersionFiles, headers: Record<string, string> = {}) =>
    fetch(`${url}/admin/models/property-valuation/versions`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers }, body: uploadBody(files) });

  it('registers a 5 MiB model streamed to disk, its sha256 as uploaded', async () => {
    const files = paddedVersion('1.5.0', 5);
    expect(files.model.length).toBeGreaterThan(5 * 1024 * 1024);
    const res = await post(files);
    expect([res.status, await res.text()]).toMatchObject([201, expect.stringContaining('"artifact_bytes":' + files.model.length)]);
    const detail = await fetch(`${url}/admin/models/property-valuation/versions/1.5.0`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(((await detail.json()) as { artifact_sha256: string }).artifact_sha256).toBe(sha256(files.model));
  });

  it('hands the registry the uploaded file, never the model bytes, and removes the file afterwards', async () => {
    const registry = g.gateway.governance?.handle.registry;
    if (!registry) throw new Error('the registry is not enabled');
    const received: unknown[] = [];
    const register = registry.register.bind(registry);
    registry.register = (actor, input) => (received.push(input.artifact), register(actor, input));
    const files = paddedVersion('1.8.0', 6);
    try {
      const res = await post(files);
      expect(res.status).toBe(201);
    } finally {
      registry.register = register;
    }
    // A file on disk, its size and sha256 taken while it streamed (onnxruntime loads it from the path).
    expect(received).toEqual([{ path: expect.any(String), bytes: files.model.length, sha256: sha256(files.model) }]);
    expect(existsSync((received[0] as { path: string }).path)).toBe(false);
    // Stored by copying the file, under its sha256, byte for byte.
    const stored = await g.gateway.governance?.handle.artifacts.get(sha256(files.model), 'onnx');
    expect(stored && Buffer.from(stored).equals(Buffer.from(files.model))).toBe(true);
  });

  it('refuses bytes that are not ONNX, without a manifest part, with a 400 that shows no temp path', async () => {
    const form = new FormData();
    form.append('model', new Blob([new TextEncoder().encode('not an onnx model')]), 'model.onnx');
    form.append('version', '1.9.0');
    const res = await fetch(`${url}/admin/models/property-valuation/versions`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: form });
    const body = (await res.json()) as { error: string };
    expect([res.status, body.error]).toEqual([400, expect.stringMatching(/^not an ONNX model/)]);
    expect(body.error).not.toMatch(/modelgate-upload-|\/tmp\//);
  });

  it('refuses a model over the upload limit with 413 in the error shape', async () => {
    const res = await post(paddedVersion('1.6.0', 9));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('payload_too_large');
  });

  it('keeps the JSON limit for a manifest part', async () => {
    const files = paddedVersion('1.7.0', 1);
    const res = await post({ ...files, manifest: { ...files.manifest, description: 'x'.repeat(1_100_000) } });
    expect(res.status).toBe(413);
  });
});
