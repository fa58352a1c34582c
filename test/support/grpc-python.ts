import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One call for test/grpc/client.py: a method, its request as protobuf JSON (bytes as base64), metadata. */
export interface GrpcCall {
  rpc: string;
  request?: Record<string, unknown>;
  metadata?: [string, string][];
  /** Send this many copies at once. */
  concurrent?: number;
}

export interface GrpcResult {
  code: string;
  details: string;
  initial_metadata: Record<string, string>;
  trailing_metadata: Record<string, string>;
  response: Record<string, unknown> | null;
}

/**
 * A Python interpreter with Debian's python3-grpcio and python3-grpc-tools (MODELGATE_PYTHON
 * alone when set, else /usr/bin/python3, else python3 on PATH), or undefined when none has both.
 */
export function grpcPython(): string | undefined {
  const chosen = process.env.MODELGATE_PYTHON;
  const candidates = chosen ? [chosen] : ['/usr/bin/python3', 'python3'];
  return candidates.find((py) => spawnSync(py, ['-c', 'import grpc, grpc_tools'], { stdio: 'ignore' }).status === 0);
}

/** Compile the repo's proto/ into Python stubs in a temp dir, with grpc_tools' protoc. */
export function compileStubs(python: string): string {
  const out = mkdtempSync(join(tmpdir(), 'modelgate-grpc-stubs-'));
  const r = spawnSync(
    python,
    ['-m', 'grpc_tools.protoc', '-Iproto', `--python_out=${out}`, `--grpc_python_out=${out}`, 'proto/grpc_service.proto', 'proto/health.proto'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`protoc failed: ${r.stderr}`);
  return out;
}

/** Run calls with the Python client against `target` (host:port); one result per call (a list for concurrent ones). */
export function pythonCalls(python: string, stubs: string, target: string, calls: GrpcCall[]): Promise<(GrpcResult | GrpcResult[])[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['test/grpc/client.py', stubs, target], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`client.py exited with ${code}: ${err}`));
      resolve(JSON.parse(out) as (GrpcResult | GrpcResult[])[]);
    });
    child.stdin.end(JSON.stringify(calls));
  });
}

/** A little-endian FP32 array as raw_input_contents base64. */
export const fp32Base64 = (values: ArrayLike<number>): string => Buffer.from(Float32Array.from(values).buffer).toString('base64');

/** raw_output_contents base64 as FP32 values. */
export function fp32FromBase64(b64: string): number[] {
  const b = Buffer.from(b64, 'base64');
  return Array.from(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4));
}
