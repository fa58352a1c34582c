// The minimal grpc-js + onnxruntime-node server: `node dist/bench/grpc-baseline.js <grpc port> <http port> <model.onnx>`.
// It decodes ModelInferRequest with the repo's proto, runs the model on raw_input_contents[0],
// and answers raw_output_contents with the gateway's stamps (initial metadata) and response
// fields (model_version, id, parameters.route): the least an OIP gRPC server does. The HTTP
// port answers GET / for the bench's readiness poll.
import { Metadata, Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import ort from 'onnxruntime-node';
import { baselineSession } from './baseline-session.js';
import { loadProtos, type ModelInferRequestMsg } from '../src/grpc/proto.js';

const bytes = (b: Buffer): Buffer => b;

/** Misaligned FP32 bytes copied into a fresh Float32Array (one memcpy, as the gateway's decodeRawTensor does). */
function copyAligned(r: Uint8Array): Float32Array {
  const out = new Float32Array(r.byteLength / 4);
  new Uint8Array(out.buffer).set(r);
  return out;
}

async function main(): Promise<void> {
  const [grpcPort, httpPort, model] = process.argv.slice(2);
  if (!grpcPort || !httpPort || !model) throw new Error('usage: grpc-baseline.js <grpc port> <http port> <model.onnx>');
  const { ModelInferRequest, ModelInferResponse } = loadProtos();
  const { session, input, output } = await baselineSession(model);
  const name = model.split('/').at(-3) ?? 'model';
  const version = model.split('/').at(-2) ?? '1';

  const infer = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
    const req = ModelInferRequest.decode(call.request) as unknown as ModelInferRequestMsg;
    const t = req.inputs[0];
    const r = req.raw_input_contents[0];
    if (!t || !r) return callback({ code: status.INVALID_ARGUMENT, details: 'no input' });
    // A view when aligned, else one copy (as the gateway does; Uint8Array.from, used before, cost ~800 µs a call).
    const data = r.byteOffset % 4 === 0 ? new Float32Array(r.buffer, r.byteOffset, r.byteLength / 4) : copyAligned(r);
    const dims = t.shape.map((d) => Number(d));
    session.run({ [input]: new ort.Tensor('float32', data, dims) }).then(
      (out) => {
        const y = out[output] as ort.Tensor;
        const f = y.data as Float32Array;
        const id = req.id || randomUUID();
        const md = new Metadata();
        md.set('x-request-id', id);
        md.set('x-model-name', name);
        md.set('x-model-version', version);
        md.set('x-model-route', 'flag:stable');
        md.set('x-cache', 'bypass');
        call.sendMetadata(md);
        const body = ModelInferResponse.encode({
          model_name: name,
          model_version: version,
          id,
          parameters: { route: { string_param: 'flag:stable' } },
          outputs: [{ name: output, datatype: 'FP32', shape: y.dims }],
          raw_output_contents: [new Uint8Array(f.buffer, f.byteOffset, f.byteLength)],
        }).finish();
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
  const health = createServer((_req, res) => res.end('{"ok":true}')).listen(Number(httpPort), '127.0.0.1');
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
