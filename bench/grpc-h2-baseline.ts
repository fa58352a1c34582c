// The least a gRPC server in Node can be: `node dist/bench/grpc-h2-baseline.js <grpc port> <http port> <model.onnx>`.
// node:http2 with no gRPC library: it takes a unary ModelInfer call (one length-prefixed message),
// decodes it with the repo's proto, runs the model on raw_input_contents[0], and answers the
// gateway's stamps (headers), response fields and grpc-status trailer. No deadlines, metadata
// handling, compression, status mapping or flow control of its own: a floor under any gRPC
// server on Node, grpc-js or hand-written, to set the gRPC rows against (bench/PROFILE.md).
import { createServer, type ServerHttp2Stream } from 'node:http2';
import ort from 'onnxruntime-node';
import { decodeInfer, floatInput, inferAnswer, minimalModel, readinessServer, type MinimalModel } from './grpc-minimal.js';

function answer(m: MinimalModel, stream: ServerHttp2Stream, message: Buffer): void {
  const req = decodeInfer(message.subarray(5));
  const t = req.inputs[0];
  const r = req.raw_input_contents[0];
  if (!t || !r) return void stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '3' }, { endStream: true });
  void m.session.run({ [m.input]: new ort.Tensor('float32', floatInput(r), t.shape.map(Number)) }).then((out) => {
    const { stamps, body } = inferAnswer(m, req, out[m.output] as ort.Tensor);
    const frame = Buffer.allocUnsafe(5 + body.length);
    frame[0] = 0;
    frame.writeUInt32BE(body.length, 1);
    frame.set(body, 5);
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...stamps }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(frame);
  });
}

async function main(): Promise<void> {
  const [grpcPort, httpPort, model] = process.argv.slice(2);
  if (!grpcPort || !httpPort || !model) throw new Error('usage: grpc-h2-baseline.js <grpc port> <http port> <model.onnx>');
  const m = await minimalModel(model);
  const server = createServer();
  server.on('stream', (stream) => {
    const chunks: Buffer[] = [];
    // A call the client resets is simply gone (no crash of the baseline).
    stream.on('error', () => undefined);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => answer(m, stream, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
  });
  server.listen(Number(grpcPort), '127.0.0.1');
  const health = readinessServer(Number(httpPort));
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
