import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { RegistrySettings, type RegistrySettingsInput } from '../../src/config/registry-schema.js';
import type { GatewayConfigInput } from '../../src/config/schema.js';
import type { Gateway } from '../../src/gateway.js';
import { sha256, tempDir } from './fixtures.js';
import { ADMIN_TOKEN, startGateway } from './gateway.js';

const { onnx } = onnxProto;
export const DEMO = join(process.cwd(), 'models', 'property-valuation');

/** A v1 body every property-valuation 1.x version accepts. */
export const HOUSE = {
  instances: [{ sqft: 1500, bedrooms: 3, bathrooms: 2, year_built: 1990, lot_size: 4000, location_cluster: 2, condition: 3, garage_spaces: 1 }],
};

export interface GovernedGateway {
  gateway: Gateway;
  root: string;
  dbPath: string;
  /** fetch against the in-process app with a bearer token (or none). */
  call(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A started gateway with the registry on, in a temp dir: models/ holds copies of the given demo
 * versions (imported on start; `production` becomes production), no flags (unpinned requests
 * get the stable = production version), polling off, a fast trace flush.
 */
export async function startGoverned(
  opts: { versions?: string[]; production?: string; registry?: Partial<RegistrySettingsInput>; limits?: GatewayConfigInput['limits'] } = {},
): Promise<GovernedGateway> {
  const root = tempDir('modelgate-gov-');
  const models = join(root, 'models');
  for (const v of opts.versions ?? ['1.0.0']) cpSync(join(DEMO, v), join(models, 'property-valuation', v), { recursive: true });
  mkdirSync(models, { recursive: true });
  const dbPath = join(root, 'data', 'registry.db');
  const registry = RegistrySettings.parse({
    dbPath,
    pollIntervalMs: 0,
    ...opts.registry,
    trace: { flushIntervalMs: 5, ...opts.registry?.trace },
    ...(opts.registry?.gate ? { gate: opts.registry.gate } : {}),
  });
  const gateway = await startGateway(models, {
    registry,
    flags: { source: 'file', file: join(root, 'no-flags.json') },
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.production ? { models: { 'property-valuation': { defaultVersion: opts.production } } } : {}),
  });
  const call = (path: string, init: RequestInit & { token?: string } = {}) => {
    const { token, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    return Promise.resolve(gateway.app.request(path, { ...rest, headers }));
  };
  return { gateway, root, dbPath, call, close: () => gateway.close(0) };
}

/** Create a token for a principal through the admin API. */
export async function createToken(g: GovernedGateway, principal: string, role: string): Promise<string> {
  const res = await g.call('/admin/tokens', {
    method: 'POST',
    token: ADMIN_TOKEN,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ principal, role }),
  });
  if (res.status !== 201) throw new Error(`token create: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export interface VersionFiles {
  manifest: Record<string, unknown>;
  model: Uint8Array;
  holdout?: Uint8Array;
}

/** The files of a demo version folder. */
export function demoFiles(version: string): VersionFiles {
  const dir = join(DEMO, version);
  return {
    manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>,
    model: new Uint8Array(readFileSync(join(dir, 'model.onnx'))),
    holdout: new Uint8Array(readFileSync(join(dir, 'holdout.json'))),
  };
}

/** The same model with its output multiplied by `factor` (a real, worse ONNX graph), as a new version. */
export function scaledVersion(from: string, version: string, factor: number, manifestPatch: Record<string, unknown> = {}): VersionFiles {
  const files = demoFiles(from);
  const model = onnx.ModelProto.decode(files.model);
  const graph = model.graph;
  if (!graph) throw new Error('no graph');
  const output = graph.output?.[0]?.name;
  if (!output) throw new Error('no output');
  const nodes = graph.node ?? [];
  for (const node of nodes) node.output = (node.output ?? []).map((o) => (o === output ? `${output}_unscaled` : o));
  nodes.push(onnx.NodeProto.create({ opType: 'Mul', input: [`${output}_unscaled`, 'test_scale'], output: [output], name: 'test_scale_mul' }));
  graph.node = nodes;
  graph.initializer = [
    ...(graph.initializer ?? []),
    onnx.TensorProto.create({ name: 'test_scale', dataType: onnx.TensorProto.DataType.FLOAT, dims: [1], floatData: [factor] }),
  ];
  const bytes = onnx.ModelProto.encode(model).finish();
  const artifact = { ...(files.manifest.artifact as Record<string, unknown>), sha256: sha256(bytes), bytes: bytes.length };
  return {
    ...files,
    model: bytes,
    manifest: { ...files.manifest, version, artifact, lineage: { parentVersion: from, learner: 'scaled test copy' }, ...manifestPatch },
  };
}

/** multipart/form-data upload of a version (manifest, model, holdout parts). */
export function uploadBody(files: VersionFiles): FormData {
  const form = new FormData();
  form.append('manifest', new Blob([JSON.stringify(files.manifest)], { type: 'application/json' }), 'manifest.json');
  form.append('model', new Blob([files.model], { type: 'application/octet-stream' }), 'model.onnx');
  if (files.holdout) form.append('holdout', new Blob([files.holdout], { type: 'application/json' }), 'holdout.json');
  return form;
}

export async function upload(g: GovernedGateway, token: string, files: VersionFiles, model = 'property-valuation'): Promise<Response> {
  return g.call(`/admin/models/${model}/versions`, { method: 'POST', token, body: uploadBody(files) });
}

export async function promote(
  g: GovernedGateway,
  token: string,
  version: string,
  stage: string,
  extra: { reason?: string; override?: boolean } = {},
): Promise<Response> {
  return g.call(`/admin/models/property-valuation/versions/${version}/promote`, {
    method: 'POST',
    token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stage, ...extra }),
  });
}

/** Write a version folder to disk (for the CLI). */
export function writeVersionDir(dir: string, files: VersionFiles): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(files.manifest, null, 2));
  writeFileSync(join(dir, 'model.onnx'), files.model);
  if (files.holdout) writeFileSync(join(dir, 'holdout.json'), files.holdout);
  return dir;
}

/** Poll until fn returns a value (async writes such as the trace). */
export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
