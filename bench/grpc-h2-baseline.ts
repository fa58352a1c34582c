// The least a gRPC server in Node can be: `node dist/bench/grpc-h2-baseline.js <grpc port> <http port> <model.onnx>`.
// node:http2 with no gRPC library: it takes a unary ModelInfer call (one length-prefixed message),
// decodes it with the repo's proto, runs the model on raw_input_contents[0], and answers the
// gateway's stamps (headers), response fields and grpc-status trailer. No deadlines, metadata
// handling, compression, status mapping or flow control of its own: a floor under any gRPC
// server on Node, grpc-js or hand-written, to set the gRPC rows against (bench/PROFILE.md).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as createH2Server, type ServerHttp2Stream } from 'node:http2';
import ort from 'onnxruntime-node';
import { baselineSession } from './baseline-session.js';
import { loadProtos, type ModelInferRequestMsg } from '../src/grpc/proto.js';

/** Misaligned FP32 bytes copied into a fresh Float32Array (one memcpy, as grpc-baseline.ts does). */
function aligned(r: Uint8Array): Float32Array {
  const out = new Float32Array(r.byteLength / 4);
  new Uint8Array(out.buffer).set(r);
  return out;
}

async function main(): Promise<void> {
  const [grpcPort, httpPort, model] = process.argv.slice(2);
  if (!grpcPort || !httpPort || !model) throw new Error('usage: grpc-h2-baseline.js <grpc port> <http port> <model.onnx>');
  const { ModelInferRequest, ModelInferResponse } = loadProtos();
  const { session, input, output } = await baselineSession(model);
  const name = model.split('/').at(-3) ?? 'model';
  const version = model.split('/').at(-2) ?? '1';

  const answer = (stream: ServerHttp2Stream, message: Buffer) => {
    const req = ModelInferRequest.decode(message.subarray(5)) as unknown as ModelInferRequestMsg;
    const t = req.inputs[0];
    const r = req.raw_input_contents[0];
    if (!t || !r) return stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '3' }, { endStream: true });
    const data = r.byteOffset % 4 === 0 ? new Float32Array(r.buffer, r.byteOffset, r.byteLength / 4) : aligned(r);
    session.run({ [input]: new ort.Tensor('float32', data, t.shape.map(Number)) }).then((out) => {
      const y = out[output] as ort.Tensor;
      const f = y.data as Float32Array;
      const id = req.id || randomUUID();
      const body = ModelInferResponse.encode({
        model_name: name,
        model_version: version,
        id,
        parameters: { route: { string_param: 'flag:stable' } },
        outputs: [{ name: output, datatype: 'FP32', shape: y.dims }],
        raw_output_contents: [new Uint8Array(f.buffer, f.byteOffset, f.byteLength)],
      }).finish();
      const frame = Buffer.allocUnsafe(5 + body.length);
      frame[0] = 0;
      frame.writeUInt32BE(body.length, 1);
      frame.set(body, 5);
      const stamps = { 'x-request-id': id, 'x-model-name': name, 'x-model-version': version, 'x-model-route': 'flag:stable', 'x-cache': 'bypass' };
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...stamps }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(frame);
    });
  };

  const server = createH2Server();
  server.on('stream', (stream) => {
    const chunks: Buffer[] = [];
    // A call the client resets is simply gone (no crash of the baseline).
    stream.on('error', () => undefined);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => answer(stream, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
  });
  server.listen(Number(grpcPort), '127.0.0.1');
  const health = createServer((_req, res) => res.end('{"ok":true}')).listen(Number(httpPort), '127.0.0.1');
  const stop = () => {
    health.close();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`grpc-h2-baseline: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
