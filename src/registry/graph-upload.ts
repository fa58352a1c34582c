import { badRequest } from '../errors/index.js';
import { manifestFromGraph } from '../repository/graph-manifest.js';
import type { Manifest } from '../contracts/manifest.js';
import type { ModelFile } from '../contracts/model-file.js';
import { parseWarmupFile } from '../repository/warmup-file.js';

/** The form fields of an upload without a manifest: the version, and what the graph cannot say. */
export interface GraphUploadFields {
  version?: string;
  dataVersion?: string;
  description?: string;
  /** warm-up sample file bytes (an OIP infer request, a list of them, or a `warmup` object). */
  warmup?: Uint8Array;
}

/**
 * Register route, upload without a manifest part: the manifest is read from the graph, as
 * `modelgate import` does (same function), so the HTTP and CLI paths cannot drift apart.
 */
export async function manifestForUpload(model: string, artifact: Uint8Array | ModelFile, fields: GraphUploadFields): Promise<Manifest> {
  if (!fields.version) throw badRequest("an upload without a manifest part needs a 'version' field (semver or integer)");
  let warmup;
  if (fields.warmup) {
    try {
      warmup = parseWarmupFile(JSON.parse(Buffer.from(fields.warmup).toString('utf8')));
    } catch (err) {
      throw badRequest(`warmup: ${(err as Error).message.slice(0, 500)}`);
    }
  }
  return manifestFromGraph(artifact, {
    name: model,
    version: fields.version,
    ...(fields.dataVersion ? { dataVersion: fields.dataVersion } : {}),
    ...(fields.description ? { description: fields.description } : {}),
    ...(warmup ? { warmup } : {}),
  });
}
