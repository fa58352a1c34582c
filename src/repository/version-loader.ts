import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { servableFile, withoutPath } from '../runtime/graph-file.js';
import { isModelFile, type ModelFile } from '../contracts/model-file.js';
import { InlineRunner } from '../runtime/inline-runner.js';
import type { ModelRunner, SessionOptions } from '../contracts/runner.js';
import { servableGraph, UnservableOutputError } from '../runtime/servable-graph.js';
import { WorkerRunner } from '../runtime/worker-runner.js';
import { LoadFailure } from './load-failure.js';
import { LoadedVersion } from './loaded-version.js';
import { ortMessage } from '../contracts/run-failure.js';
import { Manifest, type WarmupSpec } from '../contracts/manifest.js';
import { servedManifest } from './output-conversions.js';
import { signatureMismatches } from './signature-check.js';
import { parseWarmupFile } from './warmup-file.js';
import { inputsNamedIn, WARMUP_HELP, WarmupSampleError, warmupRequests } from './warmup.js';

export { LoadFailure, type LoadFailureReason } from './load-failure.js';

export interface LoadOptions {
  session: SessionOptions;
  runner: 'auto' | 'inline' | 'worker';
  workerThresholdMs: number;
  warmupRuns: number;
  /** A worker thread's failure or unexpected exit, reported as background work ('inference-worker'). */
  onWorkerFailure?: (err: Error) => void;
}

/** Read and validate a version folder's manifest (path-free errors for callers). */
export async function readManifest(dir: string, expect?: { name: string; version: string }): Promise<Manifest> {
  let raw: string;
  try {
    raw = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch {
    throw new LoadFailure('missing_manifest', 'manifest.json is missing');
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new LoadFailure('invalid_manifest', `manifest.json is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) throw new LoadFailure('invalid_manifest', `manifest.json is invalid: ${z.prettifyError(parsed.error)}`);
  const m = parsed.data;
  if (!m.warmup) m.warmup = await readWarmupFile(dir);
  if (expect && (m.name !== expect.name || m.version !== expect.version)) {
    throw new LoadFailure(
      'name_mismatch',
      `manifest says ${m.name}@${m.version} but the folder is ${expect.name}/${expect.version}`,
    );
  }
  return m;
}

/** A warmup.json beside the manifest: samples/dims for a model whose manifest has none. */
export async function readWarmupFile(dir: string): Promise<WarmupSpec | undefined> {
  let raw: string;
  try {
    raw = await readFile(join(dir, 'warmup.json'), 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new LoadFailure('invalid_manifest', `warmup.json is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return parseWarmupFile(json);
  } catch (err) {
    throw new LoadFailure('invalid_manifest', `warmup.json is invalid: ${(err as Error).message}`);
  }
}

/** Verify the artifact's sha256 against the manifest and return its bytes. */
export async function readArtifact(dir: string, manifest: Manifest): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, manifest.artifact.path));
  } catch {
    throw new LoadFailure('missing_artifact', `artifact ${manifest.artifact.path} is missing`);
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== manifest.artifact.sha256) {
    throw new LoadFailure('hash_mismatch', `artifact sha256 ${sha} does not match the manifest's ${manifest.artifact.sha256}`);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** What a session is made from (a ZipMap output served as its tensor; a file's path otherwise) and the manifest to serve with. */
async function servable(manifest: Manifest, artifact: Uint8Array | ModelFile): Promise<{ model: Uint8Array | string; manifest: Manifest }> {
  try {
    const graph = isModelFile(artifact) ? await servableFile(artifact) : servableGraph(artifact);
    return { model: graph.model, manifest: servedManifest(manifest, graph.conversions) };
  } catch (err) {
    if (err instanceof UnservableOutputError) throw new LoadFailure('unservable_output', err.message);
    throw err;
  }
}

const bytesOf = async (model: Uint8Array | string): Promise<Uint8Array> => (typeof model === 'string' ? new Uint8Array(await readFile(model)) : model);

/**
 * Build, check and warm one version's runner. Nothing is swapped in here: the caller decides,
 * so a failed load never touches what is serving. `artifact` is the file as verified against
 * the manifest's sha256 (bytes, or an uploaded file an inline session loads from its path); a
 * graph ending in ZipMap is served from rewritten bytes (in memory).
 */
export async function loadVersion(fileManifest: Manifest, artifact: Uint8Array | ModelFile, opts: LoadOptions): Promise<LoadedVersion> {
  const { model, manifest } = await servable(fileManifest, artifact);
  let runner: ModelRunner;
  try {
    runner = opts.runner === 'worker' ? await WorkerRunner.create(await bytesOf(model), workerSession(opts.session), opts.onWorkerFailure) : await InlineRunner.create(model, opts.session);
  } catch (err) {
    throw new LoadFailure('session_failed', `onnxruntime could not create a session: ${withoutPath((err as Error).message, model)}`);
  }
  try {
    checkSignature(manifest, runner);
    let warmupMs = await warmUp(runner, manifest, opts.warmupRuns);
    if (opts.runner === 'auto' && warmupMs > opts.workerThresholdMs && runner.provider !== 'webgpu') {
      // Heavy model: move it off the main thread, where its runs no longer block the event loop.
      const worker = await WorkerRunner.create(await bytesOf(model), workerSession(opts.session), opts.onWorkerFailure);
      await runner.dispose();
      runner = worker;
      warmupMs = await warmUp(runner, manifest, opts.warmupRuns);
    }
    return new LoadedVersion(manifest, runner, warmupMs);
  } catch (err) {
    await runner.dispose().catch(() => undefined);
    if (err instanceof LoadFailure) throw err;
    throw new LoadFailure('warmup_failed', `warm-up inference failed: ${withoutPath(ortMessage(err), model)}`);
  }
}

/**
 * WebGPU sessions of one process share one device and command encoder: two threads using them
 * crash the process (GPU.md). So WebGPU stays on the main thread; worker threads get the rest.
 */
function workerSession(session: SessionOptions): SessionOptions {
  const providers = session.providers.filter((p) => p !== 'webgpu');
  return { ...session, providers: providers.length > 0 ? providers : ['cpu'] };
}

/** Names, datatypes, ranks and fixed dims of the manifest against the graph onnxruntime loaded. */
function checkSignature(manifest: Manifest, runner: ModelRunner): void {
  const problems = signatureMismatches(manifest.inputs, manifest.outputs, runner.signature);
  if (problems.length > 0) {
    throw new LoadFailure('signature_mismatch', `the manifest does not match the graph: ${problems.join('; ')}`);
  }
}

/** Median latency of the warm-up runs; a refusal says which input, what onnxruntime said and how to fix it. */
async function warmUp(runner: ModelRunner, manifest: Manifest, runs: number): Promise<number> {
  let requests;
  try {
    requests = warmupRequests(manifest);
  } catch (err) {
    if (err instanceof WarmupSampleError) throw new LoadFailure('warmup_failed', err.message);
    throw err;
  }
  const times: number[] = [];
  for (const req of requests) {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      try {
        await runner.run(req.feeds);
      } catch (err) {
        const words = ortMessage(err);
        throw new LoadFailure(
          'warmup_failed',
          `warm-up with ${req.describe} failed ${inputsNamedIn(words, manifest)}: onnxruntime said: ${words}. ${req.origin === 'generated' ? WARMUP_HELP : 'fix the sample'}`,
        );
      }
      times.push(performance.now() - t0);
    }
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}
