// The minimal grpc-js + onnxruntime-node server: `node dist/bench/grpc-baseline.js <grpc port> <http port> <model.onnx>`.
// It decodes ModelInferRequest with the repo's proto, runs the model on raw_input_contents[0],
// and answers raw_output_contents with the gateway's stamps (initial metadata) and response
// fields (model_version, id, parameters.route): the least an OIP gRPC server does. The HTTP
// port answers GET / for the bench's readiness poll.
import { Metadata, Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import ort from 'onnxruntime-node';
import { decodeInfer, floatInput, inferAnswer, minimalModel, readinessServer } from './grpc-minimal.js';

const bytes = (b: Buffer): Buffer => b;

async function main(): Promise<void> {
  const [grpcPort, httpPort, model] = process.argv.slice(2);
  if (!grpcPort || !httpPort || !model) throw new Error('usage: grpc-baseline.js <grpc port> <http port> <model.onnx>');
  const m = await minimalModel(model);

  const infer = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
    const req = decodeInfer(call.request);
    const t = req.inputs[0];
    const r = req.raw_input_contents[0];
    if (!t || !r) return callback({ code: status.INVALID_ARGUMENT, details: 'no input' });
    // (Uint8Array.from for a misaligned input, used before, cost ~800 µs a call.)
    m.session.run({ [m.input]: new ort.Tensor('float32', floatInput(r), t.shape.map((d) => Number(d))) }).then(
      (out) => {
        const { stamps, body } = inferAnswer(m, req, out[m.output] as ort.Tensor);
        const md = new Metadata();
        for (const [k, v] of Object.entries(stamps)) md.set(k, v);
        call.sendMetadata(md);
        callback(null, Buffer.from(body.buffer, body.byteOffset, body.byteLength));
      },
      (err: unknown) => callback({ code: status.INTERNAL, details: String(err) }),
    );
  };

  // Channelz off, as in the gateway.
  const server = new Server({ 'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20, 'grpc.enable_channelz': 0 });
  server.addService(
    { ModelInfer: { path: '/inference.GRPCInferenceService/ModelInfer', requestStream: false, responseStream: false, requestSerialize: bytes, requestDeserialize: bytes, responseSerialize: bytes, responseDeserialize: bytes } },
    { ModelInfer: infer },
  );
  await new Promise<number>((resolve, reject) => server.bindAsync(`127.0.0.1:${grpcPort}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const health = readinessServer(Number(httpPort));
  const stop = () => {
    health.close();
    server.tryShutdown(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`grpc-baseline: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
