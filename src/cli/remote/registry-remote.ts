import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PromotionResult } from '../../registry/lifecycle-types.js';
import type { StoredGateResult } from '../../registry/registry-store.js';
import type { Stage } from '../../contracts/stages.js';
import { formatGate } from '../format-gate.js';
import { seg, type GatewayClient } from './gateway-client.js';
import { emit } from './table.js';

/** A version as GET/POST /admin/models/{m}/versions render it (the fields printed here). */
interface VersionView {
  model: string;
  version: string;
  stage: Stage;
  data_version: string;
  parent_version: string | null;
  artifact_sha256: string;
  holdout_sha256: string | null;
  registered_by: string;
}

/**
 * `modelgate register <dir> --url`: upload manifest.json, its model.onnx and holdout (multipart,
 * POST /admin/models/{m}/versions); the gateway checks the version rules and audits it as the token's principal.
 */
export async function registerRemote(client: GatewayClient, dir: string, json: boolean): Promise<void> {
  const manifestPath = join(dir, 'manifest.json');
  let manifestText: string;
  let manifest: { name?: unknown; artifact?: { path?: unknown }; holdout?: { path?: unknown } };
  try {
    manifestText = await readFile(manifestPath, 'utf8');
    manifest = JSON.parse(manifestText) as typeof manifest;
  } catch (err) {
    throw new Error(`cannot read ${manifestPath}: ${(err as Error).message}`);
  }
  if (typeof manifest.name !== 'string') throw new Error(`${manifestPath} names no model ("name")`);
  const form = new FormData();
  form.append('manifest', new Blob([manifestText], { type: 'application/json' }), 'manifest.json');
  const artifactPath = join(dir, typeof manifest.artifact?.path === 'string' ? manifest.artifact.path : 'model.onnx');
  form.append('model', new Blob([await readFile(artifactPath)], { type: 'application/octet-stream' }), basename(artifactPath));
  if (typeof manifest.holdout?.path === 'string') {
    const holdoutPath = join(dir, manifest.holdout.path);
    form.append('holdout', new Blob([await readFile(holdoutPath)], { type: 'application/json' }), basename(holdoutPath));
  }
  const { body: v } = await client.post<VersionView>(`/admin/models/${seg(manifest.name)}/versions`, { body: form });
  emit(json, v, () =>
    `registered ${v.model}@${v.version} by ${v.registered_by}: stage ${v.stage}, data ${v.data_version}, ` +
      `parent ${v.parent_version ?? '-'}, artifact sha256:${v.artifact_sha256.slice(0, 12)}, ` +
      `holdout ${v.holdout_sha256 ? `sha256:${v.holdout_sha256.slice(0, 12)}` : '-'}\n`,
  );
}

export interface PromoteArgs {
  model: string;
  version: string;
  stage: Stage;
  reason: string | undefined;
  override: boolean;
  json: boolean;
}

/**
 * `modelgate promote --url`: the gateway itself moves the version (POST .../promote), so the new
 * stage serves there when the answer comes (it loads a version before it serves it).
 */
export async function promoteRemote(client: GatewayClient, a: PromoteArgs): Promise<void> {
  // Who acts (the audit row's principal), asked first: a bad token fails before a long gate run.
  const { body: who } = await client.get<{ name: string }>('/admin/whoami');
  const { body: r } = await client.post<PromotionResult>(`/admin/models/${seg(a.model)}/versions/${seg(a.version)}/promote`, {
    json: { stage: a.stage, ...(a.reason !== undefined ? { reason: a.reason } : {}), ...(a.override ? { override: true } : {}) },
  });
  emit(a.json, r, () =>
    (r.gate ? formatGate(r.gate.result) : '') +
      `${r.model}@${r.version}: ${r.from} -> ${r.to} by ${who.name}` +
      `${r.replaced ? `; ${r.replaced.version} -> ${r.replaced.stage}` : ''}` +
      `${r.overrides.length ? `; overrides: ${r.overrides.join(', ')}` : ''}\n`,
  );
}

/** `modelgate validate --url`: the gateway runs the gate; exit 1 when it fails. */
export async function validateRemote(client: GatewayClient, model: string, version: string, json: boolean): Promise<void> {
  const { body: stored } = await client.post<StoredGateResult>(`/admin/models/${seg(model)}/versions/${seg(version)}/validate`);
  emit(json, stored, () => formatGate(stored.result));
  if (!stored.passed) process.exitCode = 1;
}
